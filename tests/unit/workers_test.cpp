// Workers (train/workers.hpp) and passes shared out over threads: every part runs once per run,
// a threaded pass computes what the serial one does (outputs to the bit, gradients up to the order
// of additions), and a thread count gives the same weights every time.
#define BOOST_TEST_MODULE workers
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <memory>
#include <numeric>
#include <span>
#include <thread>
#include <vector>

#include <typenet/typenet.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/train/flush_denormals.hpp>
#include <typenet/train/workers.hpp>

#include "../support/network_batch_check.hpp"

using namespace typenet;
using namespace typenet_test;

namespace {

using Block = Residual<Conv2D<4, Kernel<3>, Pad<same>>, BatchNorm, ReLU, Conv2D<4, Kernel<3>, Pad<same>>>;
template <class T>
using Net = BasicNetwork<T, Input<1, 9, 9>, Conv2D<4, Kernel<3>, Pad<same>>, ReLU, Block, MaxPool<2>,
                         Concat<Sequential<Conv2D<3, Kernel<1>>>, Sequential<DepthwiseConv2D<Kernel<3>, Pad<same>>>>,
                         Flatten, Dense<5>>;
constexpr std::size_t B = 7;

/// Random 9x9 images with labels below 5: a SampleSource.
struct Images {
    std::vector<std::array<float, 81>> images;
    std::vector<std::size_t> labels;
    std::size_t size() const { return labels.size(); }
    std::span<const float> image(std::size_t i) const { return images[i]; }
    std::size_t label(std::size_t i) const { return labels[i]; }
};

template <class T>
struct Pass {
    std::unique_ptr<Net<T>> net = std::make_unique<Net<T>>();
    std::unique_ptr<typename Net<T>::template Batch<B>> batch = std::make_unique<typename Net<T>::template Batch<B>>();

    /// Forward in training mode over `samples`, then backward from fixed output gradients.
    void run(const Parallel* parallel, std::size_t samples) {
        randomize(*net, 3);
        fill_inputs<Net<T>, B>(*batch, 4);
        net->zero_gradients();
        net->forward(*batch, Mode::training, 5, samples, parallel);
        Random random(6);
        for (auto& g : batch->output_gradients) g = T(random.uniform(-1, 1));
        net->backward(*batch);
    }
};

template <class T>
void check_against_serial(std::size_t threads, std::size_t samples, double tolerance) {
    Pass<T> serial, threaded, again;
    const Workers workers(threads, Net<T>::parameter_count * sizeof(T));
    serial.run(nullptr, samples);
    threaded.run(&workers, samples);
    again.run(&workers, samples);
    BOOST_TEST(threaded.batch->outputs == serial.batch->outputs);  // no sums cross samples forward
    for (std::size_t i = 0; i < Net<T>::parameter_count; ++i) {
        const T got = threaded.net->gradients()[i], want = serial.net->gradients()[i];
        BOOST_TEST(std::abs(double(got - want)) <= tolerance * (1 + std::abs(double(want))), "gradient " << i);
        BOOST_TEST(again.net->gradients()[i] == got);  // the same thread count: the same bits
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_part_runs_once_per_run_and_part_zero_on_the_caller) {
    const Workers workers(3, 100);
    BOOST_TEST(workers.parts() == 3u);
    BOOST_TEST(workers.gradient_buffer_bytes() >= 100u);
    for (std::size_t part = 1; part < 3; ++part) {
        const auto address = reinterpret_cast<std::uintptr_t>(workers.gradient_buffer(part));
        BOOST_TEST(address % alignof(std::max_align_t) == 0u);
        if (part > 1)
            BOOST_TEST(address - reinterpret_cast<std::uintptr_t>(workers.gradient_buffer(part - 1)) >=
                       workers.gradient_buffer_bytes());
    }
    std::array<std::atomic<int>, 3> runs{};
    std::atomic<bool> part_zero_elsewhere{false};
    const auto caller = std::this_thread::get_id();
    for (int round = 0; round < 2000; ++round)
        detail::for_each_part(workers, 3, [&](std::size_t part, std::size_t first, std::size_t last) {
            runs[part].fetch_add(int(last - first));
            if (part == 0 && std::this_thread::get_id() != caller) part_zero_elsewhere = true;
        });
    for (const auto& count : runs) BOOST_TEST(count.load() == 2000);
    BOOST_TEST(!part_zero_elsewhere.load());
}

BOOST_AUTO_TEST_CASE(parts_are_contiguous_and_cover_every_item) {
    const Workers workers(4, 0);
    std::vector<int> seen(10, 0);
    detail::for_each_part(workers, seen.size(), [&](std::size_t, std::size_t first, std::size_t last) {
        for (std::size_t i = first; i < last; ++i) ++seen[i];
    });
    for (int count : seen) BOOST_TEST(count == 1);
}

BOOST_AUTO_TEST_CASE(one_thread_is_the_caller_alone) {
    const Workers workers(1, 64);
    BOOST_TEST(workers.parts() == 1u);
    std::size_t calls = 0;
    detail::for_each_part(workers, 5, [&](std::size_t part, std::size_t first, std::size_t last) {
        BOOST_TEST(part == 0u);
        calls += last - first;
    });
    BOOST_TEST(calls == 5u);
}

BOOST_AUTO_TEST_CASE(threaded_pass_matches_the_serial_pass) {
    check_against_serial<double>(2, B, 1e-12);
    check_against_serial<double>(3, B, 1e-12);
    check_against_serial<double>(3, 5, 1e-12);  // a partial batch: the parts cover 5 samples
    check_against_serial<float>(2, B, 1e-5);
}

BOOST_AUTO_TEST_CASE(a_batch_in_inference_mode_gives_the_bits_of_inference_one_image_at_a_time) {
    // Inference mode runs the layers as Inference::predict does, image by image, but Dense over
    // the batch, and keeps only what Dense reads (the rest in one slot per thread): serial,
    // threaded, and on a partial batch.
    static_assert(BatchesInInference<Dense<5>::bound<Shape<12>, float>, float>);
    static_assert(!BatchesInInference<BatchNorm::bound<Shape<4, 3, 3>, float>, float>);
    static_assert(!BatchesInInference<Block::bound<Shape<4, 9, 9>, float>, float>);
    Pass<float> pass;
    randomize(*pass.net, 3);
    fill_inputs<Net<float>, B>(*pass.batch, 4);
    const auto inference = std::make_unique<Inference<Net<float>>>(*pass.net);
    std::array<Net<float>::output_tensor, B> want{};
    for (std::size_t b = 0; b < B; ++b) {
        Net<float>::input_tensor image{};
        std::copy_n(pass.batch->inputs.data() + b * image.size(), image.size(), image.begin());
        const auto scores = inference->predict(image);
        std::copy(scores.begin(), scores.end(), want[b].begin());
    }
    const Workers two(2, 0), three(3, 0);
    for (const Parallel* parallel : {static_cast<const Parallel*>(nullptr), static_cast<const Parallel*>(&two),
                                     static_cast<const Parallel*>(&three)})
        for (const std::size_t samples : {B, std::size_t{5}}) {
            pass.batch->outputs.fill(-1.0f);
            pass.net->forward(*pass.batch, Mode::inference, 0, samples, parallel);
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t k = 0; k < want[b].size(); ++k)
                    BOOST_TEST(pass.batch->outputs[b * want[b].size() + k] == (b < samples ? want[b][k] : -1.0f),
                               "sample " << b << " of " << samples << ", output " << k);
        }
    // Evaluation mode, which keeps every output for a backward pass, computes the same bits.
    pass.net->forward(*pass.batch, Mode::evaluation);
    for (std::size_t b = 0; b < B; ++b)
        for (std::size_t k = 0; k < want[b].size(); ++k) BOOST_TEST(pass.batch->outputs[b * want[b].size() + k] == want[b][k]);
}

BOOST_AUTO_TEST_CASE(gradient_buffers_too_small_fall_back_to_the_calling_thread) {
    Pass<double> serial, threaded;
    const Workers workers(2, 8);  // one double: no layer's gradients fit
    serial.run(nullptr, B);
    threaded.run(&workers, B);
    for (std::size_t i = 0; i < Net<double>::parameter_count; ++i)
        BOOST_TEST(threaded.net->gradients()[i] == serial.net->gradients()[i]);
}

BOOST_AUTO_TEST_CASE(training_on_two_threads_gives_the_same_weights_every_time) {
    const Images data = [] {
        Images d;
        Random random(9);
        for (std::size_t i = 0; i < 40; ++i) {
            std::array<float, 81> image{};
            for (auto& v : image) v = float(random.uniform());
            d.images.push_back(image);
            d.labels.push_back(random.below(5));
        }
        return d;
    }();
    auto train = [&](std::size_t threads) {
        auto net = std::make_unique<Net<float>>();
        initialize(*net, Init::he_uniform, 1);
        // SGD: an update in proportion to the gradient, so rounding differences stay rounding-sized
        // (Adam divides by the gradients' own size and can blow a difference near zero up).
        auto optimizer = make_optimizer<Net<float>>(for_all_layers(SGD{.learning_rate = 0.05}));
        auto trainer = make_trainer<SoftmaxCrossEntropy, 8>(*net, optimizer);
        trainer.use_threads(threads);
        FitOptions options;
        options.epochs = 2;
        options.progress = ProgressStyle::none;
        trainer.fit(data, options);
        return std::vector<float>(net->parameters().data(), net->parameters().data() + Net<float>::parameter_count);
    };
    const auto serial = train(1), first = train(2), second = train(2);
    BOOST_TEST(first == second);
    double largest = 0;
    for (std::size_t i = 0; i < serial.size(); ++i) largest = std::max(largest, double(std::abs(first[i] - serial[i])));
    BOOST_TEST(largest < 1e-3);  // rounding apart, the same training
}

BOOST_AUTO_TEST_CASE(an_optimizer_step_shared_over_threads_gives_the_bits_of_one_thread) {
    // Two rules, weight decay on weights only, and three steps: every group's tensors are cut
    // between parts somewhere (3 threads over the flat parameters), and Adam's moments too.
    using N = Net<float>;
    auto step_three_times = [](const Parallel* parallel) {
        auto net = std::make_unique<N>();
        randomize(*net, 11);
        auto optimizer = make_optimizer<N>(for_layers<"Conv2D">(Adam{.learning_rate = 0.01, .weight_decay = 0.1}),
                                           for_layers<"BatchNorm", "DepthwiseConv2D", "Dense">(SGD{.learning_rate = 0.1}));
        Random random(12);
        for (int step = 0; step < 3; ++step) {
            for (const ParameterInfo& tensor : N::parameter_tensors)  // state tensors get no gradient
                if (tensor.role == Role::trained)
                    for (std::size_t i = 0; i < tensor.size; ++i) net->gradients()[tensor.offset + i] = float(random.uniform(-1, 1));
            optimizer.step(*net, 0.25f, parallel);
        }
        BOOST_TEST(std::all_of(net->gradients().begin(), net->gradients().end(), [](float g) { return g == 0.0f; }));
        return std::vector<float>(net->parameters().begin(), net->parameters().end());
    };
    const Workers workers(3, 0);
    const auto serial = step_three_times(nullptr), shared = step_three_times(&workers);
    BOOST_TEST(std::memcmp(serial.data(), shared.data(), serial.size() * sizeof(float)) == 0);
    BOOST_TEST(serial != [&] {  // and the steps did move the parameters
        auto start = std::make_unique<N>();
        randomize(*start, 11);
        return std::vector<float>(start->parameters().begin(), start->parameters().end());
    }());
}

BOOST_AUTO_TEST_CASE(helpers_work_in_the_callers_floating_point_mode) {
    const Workers workers(2, 0);
    auto flushes = [&] {
        std::array<bool, 2> seen{};
        detail::for_each_part(workers, 2, [&](std::size_t part, std::size_t, std::size_t) {
            volatile float tiny = 1e-38f;
            seen[part] = tiny * 1e-3f == 0.0f;  // a subnormal result, flushed or not
        });
        return seen;
    };
    BOOST_TEST((flushes() == std::array<bool, 2>{false, false}));
#if defined(__SSE__) || defined(__aarch64__)
    const FlushDenormals flush;
    BOOST_TEST((flushes() == std::array<bool, 2>{true, true}));
#endif
}

BOOST_AUTO_TEST_CASE(more_threads_than_cores_still_run_every_part_once) {
    // Threads that have not woken by the time the caller is done with its part get their part run
    // by the caller: whoever runs it, each part runs once per run, on its own range.
    const Workers workers(12, 64);
    std::array<std::atomic<int>, 12> runs{};
    std::atomic<bool> wrong_range{false};  // Boost.Test's checks are for the test's own thread
    for (int round = 0; round < 500; ++round)
        detail::for_each_part(workers, 12, [&](std::size_t part, std::size_t first, std::size_t last) {
            if (first != part || last != part + 1) wrong_range = true;
            runs[part].fetch_add(1);
        });
    for (const auto& count : runs) BOOST_TEST(count.load() == 500);
    BOOST_TEST(!wrong_range.load());
}
