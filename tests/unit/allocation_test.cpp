// No heap allocation in forward, backward, Inference::predict or a whole training step.
#define BOOST_TEST_MODULE allocation
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <numeric>
#include <span>
#include <vector>

#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

// --- counting global allocation functions ----------------------------------------------------
// Every replaceable allocation function (plain, array, aligned, nothrow) counts one allocation
// and is backed by malloc; the deallocation functions free. Boost.Test allocates too, so tests
// only look at the difference across the code under test.

namespace {

std::atomic<std::size_t> allocations{0};

void* allocate(std::size_t size) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}

void* allocate(std::size_t size, std::align_val_t alignment) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    const auto align = static_cast<std::size_t>(alignment);
    // aligned_alloc wants a size that is a multiple of the alignment.
    const std::size_t rounded = (std::max<std::size_t>(size, 1) + align - 1) / align * align;
    return std::aligned_alloc(align, rounded);
}

void* allocate_or_throw(std::size_t size) {
    if (void* p = allocate(size)) return p;
    throw std::bad_alloc();
}

void* allocate_or_throw(std::size_t size, std::align_val_t alignment) {
    if (void* p = allocate(size, alignment)) return p;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return allocate_or_throw(size); }
void* operator new[](std::size_t size) { return allocate_or_throw(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return allocate_or_throw(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return allocate_or_throw(size, alignment); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size); }
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return allocate(size, alignment);
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

// --- networks and data ------------------------------------------------------------------------

using namespace typenet;

namespace {

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
using LeNet = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU,
                      MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

// The sketch of a small residual network: BatchNorm, Residual, Concat with a depthwise
// branch, GlobalAvgPool and Dropout.
using Block = Residual<Conv2D<16, Kernel<3>, Pad<same>>, BatchNorm, ReLU, Conv2D<16, Kernel<3>, Pad<same>>, BatchNorm>;
using ResNet = Network<Input<1, 28, 28>, Conv2D<16, Kernel<3>, Pad<same>>, BatchNorm, ReLU, Block, ReLU, MaxPool<2>,
                       Concat<Sequential<Conv2D<16, Kernel<1>>>, Sequential<DepthwiseConv2D<Kernel<3>, Pad<same>>>>,
                       GlobalAvgPool, Dropout<std::ratio<1, 4>>, Dense<10>>;

// Static storage: constructed before any test starts counting (and too large for the stack).
SeedNet seed_net;
LeNet lenet;
ResNet resnet;

/// Labelled 28x28 images held in memory, filled before counting starts.
struct MemoryData {
    static constexpr std::size_t pixels_per_image = 28 * 28;
    std::vector<float> pixels;
    std::vector<std::size_t> labels;

    explicit MemoryData(std::size_t count) : pixels(count * pixels_per_image), labels(count) {
        Random random(99);
        for (auto& p : pixels) p = float(random.uniform());
        for (auto& l : labels) l = random.below(10);
    }
    std::size_t size() const { return labels.size(); }
    std::span<const float> image(std::size_t i) const {
        return std::span<const float>(pixels).subspan(i * pixels_per_image, pixels_per_image);
    }
    std::size_t label(std::size_t i) const { return labels[i]; }
};
static_assert(SampleSource<MemoryData>);

const MemoryData& data() {
    static const MemoryData d(64);
    return d;
}

template <class Net>
double checksum(const Net& net) {
    double sum = 0;
    for (auto p : net.parameters()) sum += double(p);
    return sum;
}

/// Makes `p`'s target observable, so that an allocation cannot be elided as unused.
void* volatile escape = nullptr;

template <class Net>
void check_forward_backward(Net& net) {
    initialize(net, Init::he_uniform, 1);
    typename Net::input_tensor x;
    std::copy_n(data().image(0).begin(), x.size(), x.begin());
    typename Net::output_tensor gradient;
    gradient.fill(0.25f);
    net.zero_gradients();

    const std::size_t before = allocations.load();
    const auto& y = net.forward(x);
    net.backward(gradient);
    const std::size_t after = allocations.load();

    BOOST_TEST(after - before == 0u);
    // The work really happened: outputs and gradients are not all zero.
    BOOST_TEST(std::any_of(y.begin(), y.end(), [](float v) { return v != 0; }));
    BOOST_TEST(std::any_of(net.gradients().begin(), net.gradients().end(), [](float v) { return v != 0; }));
}

template <class Net>
void check_inference(const Net& net) {
    static Inference<Net> inference;  // static: Inference<LeNet> holds all parameters
    inference.parameters() = net.parameters();
    typename Net::input_tensor x;
    std::copy_n(data().image(1).begin(), x.size(), x.begin());

    const std::size_t before = allocations.load();
    const auto y = inference.predict(x);
    const std::size_t after = allocations.load();

    BOOST_TEST(after - before == 0u);
    BOOST_TEST(std::any_of(y.begin(), y.end(), [](float v) { return v != 0; }));
}

template <std::size_t Batch, class Net, class Opt>
void check_training_steps(Net& net, Opt& optimizer, std::size_t threads = 1) {
    initialize(net, Init::he_uniform, 2);
    auto trainer = make_trainer<SoftmaxCrossEntropy, Batch>(net, optimizer);
    trainer.use_threads(threads);  // threads and their buffers are made here, before counting
    BOOST_TEST(trainer.threads() == threads);
    std::array<std::size_t, Batch> first{}, second{};
    std::iota(first.begin(), first.end(), std::size_t{0});
    std::iota(second.begin(), second.end(), std::size_t{Batch});
    const double weights_before = checksum(net);
    const MemoryData& samples = data();

    const std::size_t before = allocations.load();
    const StepResult a = trainer.step(samples, std::span<const std::size_t>(first));
    const StepResult b = trainer.step(samples, std::span<const std::size_t>(second));  // optimizer state in use
    const std::size_t after = allocations.load();

    BOOST_TEST(after - before == 0u);
    BOOST_TEST(a.samples == Batch);
    BOOST_TEST(b.samples == Batch);
    BOOST_TEST((a.finite && b.finite));
    BOOST_TEST(optimizer.steps() >= 2u);
    BOOST_TEST(checksum(net) != weights_before);  // the steps did update the weights
}

template <class Net>
auto mixed_optimizer() {
    return make_optimizer<Net>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                               for_layers<"Dense">(Adam{.learning_rate = 0.01}));
}

template <class Net>
auto adam_optimizer() {
    return make_optimizer<Net>(for_all_layers(Adam{}));
}

/// Fine-tunes the last Dense layer only: backward stops there.
auto last_layer_optimizer() { return make_optimizer<SeedNet>(layers<0, 7>(Frozen{}), layers<7, 9>(SGD{.momentum = 0.9})); }

// Optimizer state (Adam's moments) is sized by the network: static, like the networks.
decltype(mixed_optimizer<SeedNet>()) seed_mixed = mixed_optimizer<SeedNet>();
decltype(last_layer_optimizer()) seed_last_layer = last_layer_optimizer();
decltype(adam_optimizer<SeedNet>()) seed_adam = adam_optimizer<SeedNet>();
decltype(mixed_optimizer<LeNet>()) lenet_mixed = mixed_optimizer<LeNet>();
decltype(adam_optimizer<LeNet>()) lenet_adam = adam_optimizer<LeNet>();
decltype(adam_optimizer<ResNet>()) resnet_adam = adam_optimizer<ResNet>();

}  // namespace

BOOST_AUTO_TEST_CASE(counter_sees_allocations) {
    // Positive controls: without them a broken counter would make every test below pass.
    const std::size_t before = allocations.load();
    {
        std::vector<int> v(10);
        escape = v.data();
    }
    const std::size_t after_vector = allocations.load();
    {
        auto p = std::make_unique<double[]>(3);
        escape = p.get();
    }
    {
        struct alignas(128) Wide {
            char c[128];
        };
        auto w = std::make_unique<Wide>();
        escape = w.get();
    }
    {
        int* q = new (std::nothrow) int(5);
        escape = q;
        delete q;
    }
    const std::size_t after = allocations.load();
    BOOST_TEST(after_vector - before == 1u);
    BOOST_TEST(after - before == 4u);
}

BOOST_AUTO_TEST_CASE(data_is_ready) { BOOST_TEST(data().size() == 64u); }

BOOST_AUTO_TEST_CASE(forward_backward_seed_net) { check_forward_backward(seed_net); }
BOOST_AUTO_TEST_CASE(forward_backward_lenet) { check_forward_backward(lenet); }

BOOST_AUTO_TEST_CASE(inference_predict) {
    check_inference(seed_net);
    check_inference(lenet);
}

BOOST_AUTO_TEST_CASE(training_step_seed_net_mixed_optimizer) {
    check_training_steps<1>(seed_net, seed_mixed);
    check_training_steps<32>(seed_net, seed_mixed);
}
BOOST_AUTO_TEST_CASE(training_step_seed_net_adam) {
    check_training_steps<1>(seed_net, seed_adam);
    check_training_steps<32>(seed_net, seed_adam);
}
BOOST_AUTO_TEST_CASE(training_step_seed_net_frozen_but_the_last_layer) {
    check_training_steps<1>(seed_net, seed_last_layer);
    check_training_steps<32>(seed_net, seed_last_layer);
}
BOOST_AUTO_TEST_CASE(training_step_lenet_mixed_optimizer) {
    check_training_steps<1>(lenet, lenet_mixed);
    check_training_steps<32>(lenet, lenet_mixed);
}
BOOST_AUTO_TEST_CASE(training_step_lenet_adam) {
    check_training_steps<1>(lenet, lenet_adam);
    check_training_steps<32>(lenet, lenet_adam);
}
BOOST_AUTO_TEST_CASE(forward_backward_resnet) { check_forward_backward(resnet); }
BOOST_AUTO_TEST_CASE(inference_predict_resnet) { check_inference(resnet); }
BOOST_AUTO_TEST_CASE(training_step_resnet_adam) {
    // Batches of 4 and 8, in training mode: BatchNorm's statistics, Dropout's masks, blocks.
    check_training_steps<4>(resnet, resnet_adam);
    check_training_steps<8>(resnet, resnet_adam);
}
BOOST_AUTO_TEST_CASE(training_steps_on_three_threads) {
    // The samples shared out over threads: waking them, their gradient buffers, the reduction.
    check_training_steps<8>(lenet, lenet_adam, 3);
    check_training_steps<8>(resnet, resnet_adam, 3);
}
