// Whole networks: gradient checks in double, gradient accumulation, Inference, initialisation, activations.
#define BOOST_TEST_MODULE network
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <ratio>
#include <type_traits>
#include <utility>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

using namespace typenet;
using typenet_test::check_network_gradients;

namespace {

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
using LeNet = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU,
                      MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>::with_scalar<double>;
/// Small enough to check every parameter: strided, padded and non-square convolutions, Tanh,
/// LeakyReLU, MaxPool, Dense, Sigmoid and Softmax.
using SmallNet = BasicNetwork<double, Input<2, 7, 7>, Conv2D<3, Kernel<3>, Stride<2>, Pad<1>>, Tanh,
                              Conv2D<4, Kernel<1, 3>, Pad<0, 1>>, LeakyReLU<std::ratio<1, 10>>, MaxPool<2>, Flatten,
                              Dense<6>, Sigmoid, Dense<3>, Softmax>;

static_assert(SmallNet::output_shape == Shape<3>{});
static_assert(SmallNet::parameter_count == 57 + 40 + 102 + 21);

template <class Net>
typename Net::input_tensor random_input(std::uint64_t seed) {
    Random random(seed);
    typename Net::input_tensor x;
    for (auto& v : x) v = typename Net::scalar_type(random.uniform());
    return x;
}

/// Biases start at zero after initialize; random ones make their gradients less special.
template <class Net>
void randomize_biases(Net& net, std::uint64_t seed) {
    Random random(seed);
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        if (tensor.init == InitRule::zeros)
            for (std::size_t i = 0; i < tensor.size; ++i)
                net.parameters()[tensor.offset + i] = typename Net::scalar_type(random.uniform(-0.1, 0.1));
}

/// Up to `weights` values of every weight tensor and `biases` of every bias, drawn at random.
template <class Net>
std::vector<std::size_t> parameter_sample(std::size_t weights, std::size_t biases, std::uint64_t seed) {
    Random random(seed);
    std::vector<std::size_t> sample;
    for (const ParameterInfo& tensor : Net::parameter_tensors) {
        const bool weight = tensor.init == InitRule::fan_scaled;
        for (std::size_t k = 0; k < (weight ? weights : std::min(biases, tensor.size)); ++k)
            sample.push_back(tensor.offset + random.below(tensor.size));
    }
    return sample;
}

template <class Net>
std::vector<std::size_t> all_parameters() {
    std::vector<std::size_t> all(Net::parameter_count);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

}  // namespace

// === gradient checks ============================================================================

BOOST_AUTO_TEST_CASE(small_net_every_parameter) {
    auto net = std::make_unique<SmallNet>();
    initialize(*net, Init::xavier_uniform, 1);
    randomize_biases(*net, 2);
    check_network_gradients<MeanSquaredError>(*net, random_input<SmallNet>(3), 2, all_parameters<SmallNet>());
    check_network_gradients<SoftmaxCrossEntropy>(*net, random_input<SmallNet>(4), 0, all_parameters<SmallNet>());
}

BOOST_AUTO_TEST_CASE(seed_net_sampled_parameters) {
    using Net = SeedNet::with_scalar<double>;
    auto net = std::make_unique<Net>();
    initialize(*net, Init::he_uniform, 5);
    randomize_biases(*net, 6);
    const auto which = parameter_sample<Net>(45, 5, 7);  // 4 layers with parameters, 2 to 72 biases each
    BOOST_TEST(which.size() == 4 * 45 + 5 + 2 + 5 + 5);
    check_network_gradients<MeanSquaredError>(*net, random_input<Net>(8), 3, which);
}

BOOST_AUTO_TEST_CASE(lenet_sampled_parameters) {
    auto net = std::make_unique<LeNet>();
    initialize(*net, Init::he_uniform, 9);
    randomize_biases(*net, 10);
    const auto which = parameter_sample<LeNet>(35, 5, 11);  // 5 layers with parameters
    BOOST_TEST(which.size() == 5 * (35 + 5));
    check_network_gradients<SoftmaxCrossEntropy>(*net, random_input<LeNet>(12), 7, which);
}

// === accumulation ===============================================================================

BOOST_AUTO_TEST_CASE(backward_accumulates_and_zero_gradients_resets) {
    auto net = std::make_unique<LeNet>();
    initialize(*net, Init::he_uniform, 13);
    randomize_biases(*net, 14);
    LeNet::output_tensor gradient;
    SoftmaxCrossEntropy::compute(net->forward(random_input<LeNet>(15)), 4, gradient);

    net->zero_gradients();
    net->backward(gradient);
    const std::vector<double> once(net->gradients().begin(), net->gradients().end());
    std::size_t nonzero = 0;
    for (double g : once) nonzero += g != 0 ? 1 : 0;
    BOOST_TEST(nonzero > LeNet::parameter_count / 5);  // ReLU zeros silence part of the net

    // A second backward of the same pass adds the same gradients again. (Bit-exact today, but a
    // kernel may legitimately add in several steps, so allow rounding.)
    net->backward(gradient);
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < LeNet::parameter_count; ++i)
        mismatches += std::abs(net->gradients()[i] - 2 * once[i]) > 1e-12 * std::abs(once[i]) ? 1 : 0;
    BOOST_TEST(mismatches == 0u);

    net->zero_gradients();
    BOOST_TEST(std::all_of(net->gradients().begin(), net->gradients().end(), [](double g) { return g == 0; }));
    net->backward(gradient);
    BOOST_TEST(std::equal(once.begin(), once.end(), net->gradients().begin()));
}

BOOST_AUTO_TEST_CASE(gradients_add_up_over_samples) {
    // The sum of two samples' gradients, accumulated by backward, equals the two computed apart.
    auto net = std::make_unique<SmallNet>();
    initialize(*net, Init::xavier_uniform, 16);
    SmallNet::output_tensor gradient;
    std::array<SmallNet::parameter_tensor, 2> apart;
    for (std::size_t s = 0; s < 2; ++s) {
        net->zero_gradients();
        MeanSquaredError::compute(net->forward(random_input<SmallNet>(17 + s)), s, gradient);
        net->backward(gradient);
        apart[s] = net->gradients();
    }
    net->zero_gradients();
    for (std::size_t s = 0; s < 2; ++s) {
        MeanSquaredError::compute(net->forward(random_input<SmallNet>(17 + s)), s, gradient);
        net->backward(gradient);
    }
    for (std::size_t i = 0; i < SmallNet::parameter_count; ++i)
        BOOST_TEST(net->gradients()[i] == apart[0][i] + apart[1][i], boost::test_tools::tolerance(1e-12));
}

// === Inference ==================================================================================

template <class Net>
void check_inference_matches_forward(std::uint64_t seed) {
    auto net = std::make_unique<Net>();
    initialize(*net, Init::he_uniform, seed);
    randomize_biases(*net, seed + 1);
    auto inference = std::make_unique<Inference<Net>>(*net);
    for (std::uint64_t s = 0; s < 3; ++s) {
        const auto x = random_input<Net>(seed + 10 + s);
        const auto predicted = inference->predict(x);
        const auto& expected = net->forward(x);
        for (std::size_t i = 0; i < Net::output_shape_type::size; ++i)
            BOOST_TEST(predicted[i] == expected[i], "sample " << s << ", output " << i);
    }
    // A default Inference has zero parameters, so it must not agree by accident.
    auto untrained = std::make_unique<Inference<Net>>();
    const auto x = random_input<Net>(seed + 20);
    const auto zero = untrained->predict(x);
    const auto& expected = net->forward(x);
    bool differs = false;
    for (std::size_t i = 0; i < Net::output_shape_type::size; ++i) differs = differs || zero[i] != expected[i];
    BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(inference_equals_forward_exactly) {
    check_inference_matches_forward<SeedNet>(21);
    check_inference_matches_forward<LeNet>(22);
}

// === initialisation =============================================================================

template <class Net>
void check_initialize(Init scheme) {
    using T = typename Net::scalar_type;
    auto a = std::make_unique<Net>(), b = std::make_unique<Net>(), c = std::make_unique<Net>();
    a->parameters().fill(T(7));  // initialize must overwrite everything, biases included
    initialize(*a, scheme, 42);
    initialize(*b, scheme, 42);
    initialize(*c, scheme, 43);
    BOOST_TEST((a->parameters() == b->parameters()));

    std::size_t same = 0;
    for (std::size_t i = 0; i < Net::parameter_count; ++i)
        same += a->parameters()[i] == c->parameters()[i] && a->parameters()[i] != T{} ? 1 : 0;
    BOOST_TEST(same <= Net::parameter_count / 1000);

    for (const ParameterInfo& tensor : Net::parameter_tensors) {
        const T* p = a->parameters().data() + tensor.offset;
        BOOST_TEST_CONTEXT("layer " << tensor.layer << " (" << Net::layer_kinds[tensor.layer] << "), " << tensor.name) {
            if (tensor.init != InitRule::fan_scaled) {
                BOOST_TEST((tensor.init == InitRule::zeros));
                BOOST_TEST(std::all_of(p, p + tensor.size, [](T v) { return v == T{}; }));
                continue;
            }
            const double fan = double(scheme == Init::he_uniform ? tensor.fan_in : tensor.fan_in + tensor.fan_out);
            const double bound = std::sqrt(6.0 / fan);
            double largest = 0, sum = 0;
            for (std::size_t k = 0; k < tensor.size; ++k) {
                largest = std::max(largest, std::abs(double(p[k])));
                sum += double(p[k]);
            }
            BOOST_TEST_MESSAGE("bound " << bound);
            BOOST_TEST(largest <= bound);
            // Uniform on [-bound, bound]: the largest of many draws lies near the bound,
            // and the mean near 0 (its standard deviation is bound / sqrt(3 n)).
            BOOST_TEST(largest >= 0.8 * bound);
            BOOST_TEST(std::abs(sum / double(tensor.size)) < 5 * bound / std::sqrt(3.0 * double(tensor.size)));
        }
    }
}

BOOST_AUTO_TEST_CASE(initialize_he_uniform) {
    check_initialize<SeedNet>(Init::he_uniform);
    check_initialize<LeNet>(Init::he_uniform);
}

BOOST_AUTO_TEST_CASE(initialize_xavier_uniform) { check_initialize<SeedNet>(Init::xavier_uniform); }

// === activations ================================================================================

template <class Net, std::size_t I>
void check_layer_output(Net& net) {
    using T = typename Net::scalar_type;
    using L = typename Net::template layer_impl<I>;
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(net.template output_of<I>())>,
                                 TensorView<typename Net::template shape_type<I>, const T>>);
    static_assert(std::remove_cvref_t<decltype(net.template output_of<I>())>::shape() == Net::template shape_at<I>);
    const auto in = [&]() -> TensorView<typename L::input_shape, const T> {
        if constexpr (I == 0)
            return net.input().view();
        else
            return net.template output_of<I - 1>();
    }();
    // Recompute layer I alone from the stored input of that layer.
    Tensor<typename L::output_shape, T> expected;
    const T* params = net.parameters().data() + Net::parameter_offsets[I];
    if constexpr (requires { L::scratch_size; }) {
        std::vector<T> scratch(L::scratch_size);
        L::forward(params, in, expected.view(), scratch.data());
    } else {
        L::forward(params, in, expected.view());
    }
    BOOST_TEST_CONTEXT("layer " << I << " (" << Net::template layer_kind<I> << ")") {
        BOOST_TEST((net.template output_of<I>() == expected));
    }
}

BOOST_AUTO_TEST_CASE(output_of_each_layer) {
    static SeedNet net;
    initialize(net, Init::he_uniform, 30);
    const auto x = random_input<SeedNet>(31);
    const auto& y = net.forward(x);
    BOOST_TEST((net.input() == x));
    BOOST_TEST(y.data() == net.output_of<SeedNet::layer_count - 1>().data());
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (check_layer_output<SeedNet, I>(net), ...);
    }(std::make_index_sequence<SeedNet::layer_count>{});
}
