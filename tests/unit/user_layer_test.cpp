// A layer written outside the library (examples/user_layer/scale.hpp): it binds, initialises, is gradient-checked and trains.
#define BOOST_TEST_MODULE user_layer
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/typenet.hpp>
#include <typenet/viz/summary.hpp>

#include "../../examples/user_layer/scale.hpp"
#include "../support/gradient_check.hpp"

using namespace typenet;
using typenet_test::check_layer_gradients;
using typenet_test::check_network_gradients;

namespace {

/// Scale per channel after a convolution and per feature after a Dense layer.
template <class T>
using ScaledNet =
    BasicNetwork<T, Input<2, 6, 6>, Conv2D<4, Kernel<3>>, Scale<4>, Tanh, Flatten, Dense<3>, Scale<3>>;

static_assert(ScaledNet<float>::output_shape == Shape<3>{});
static_assert(ScaledNet<float>::parameter_count == (4 * 2 * 9 + 4) + 2 * 4 + (3 * 64 + 3) + 2 * 3);

template <class Net>
typename Net::input_tensor random_input(std::uint64_t seed) {
    Random random(seed);
    typename Net::input_tensor x;
    for (auto& v : x) v = typename Net::scalar_type(random.uniform(-1, 1));
    return x;
}

template <class Span>
bool all_equal(const Span& values, double expected) {
    return std::all_of(values.begin(), values.end(), [&](auto v) { return double(v) == expected; });
}

}  // namespace

BOOST_AUTO_TEST_CASE(initialize_sets_scale_to_one_and_shift_to_zero) {
    auto net = std::make_unique<ScaledNet<float>>();
    net->parameters().fill(7.0f);
    initialize(*net, Init::he_uniform, 1);
    BOOST_TEST(all_equal(net->layer_tensor<1, "scale">(), 1.0));
    BOOST_TEST(all_equal(net->layer_tensor<1, "shift">(), 0.0));
    BOOST_TEST(all_equal(net->layer_tensor<5, "scale">(), 1.0));
    BOOST_TEST(all_equal(net->layer_tensor<5, "shift">(), 0.0));
    BOOST_TEST(all_equal(net->layer_tensor<0, "bias">(), 0.0));
    BOOST_TEST(std::none_of(net->layer_tensor<0, "weight">().begin(), net->layer_tensor<0, "weight">().end(),
                            [](float w) { return w == 0.0f || w == 7.0f; }));
}

BOOST_AUTO_TEST_CASE(a_fresh_scale_passes_its_input_through) {
    auto net = std::make_unique<ScaledNet<float>>();
    initialize(*net, Init::he_uniform, 2);
    net->forward(random_input<ScaledNet<float>>(3));
    BOOST_TEST((net->output_of<1>() == net->output_of<0>()));
}

BOOST_AUTO_TEST_CASE(layer_gradients) {
    check_layer_gradients<Scale<4>, Shape<4, 3, 5>>(201);
    check_layer_gradients<Scale<5>, Shape<5>>(202);
}

BOOST_AUTO_TEST_CASE(network_gradients_of_every_parameter) {
    using Net = ScaledNet<double>;
    auto net = std::make_unique<Net>();
    initialize(*net, Init::xavier_uniform, 4);
    // Away from 1 and 0, so that the scale's and shift's gradients are not special cases.
    Random random(5);
    for (std::size_t layer : {1, 5})
        for (const ParameterInfo& tensor : Net::parameter_tensors)
            if (tensor.layer == layer)
                for (std::size_t i = 0; i < tensor.size; ++i)
                    net->parameters()[tensor.offset + i] += random.uniform(-0.5, 0.5);
    std::vector<std::size_t> all(Net::parameter_count);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    check_network_gradients<SoftmaxCrossEntropy>(*net, random_input<Net>(6), 1, all);
}

BOOST_AUTO_TEST_CASE(trains_on_a_tiny_problem) {
    using Net = ScaledNet<float>;
    auto net = std::make_unique<Net>();
    initialize(*net, Init::he_uniform, 7);
    auto optimizer = make_optimizer<Net>(for_all_layers(Adam{.learning_rate = 0.01}));

    constexpr std::size_t samples = 6;
    std::array<Net::input_tensor, samples> inputs;
    for (std::size_t s = 0; s < samples; ++s) inputs[s] = random_input<Net>(100 + s);
    Net::output_tensor gradient;
    const auto mean_loss = [&] {
        double sum = 0;
        for (std::size_t s = 0; s < samples; ++s)
            sum += SoftmaxCrossEntropy::compute(net->forward(inputs[s]), s % 3, gradient);
        return sum / samples;
    };

    const double before = mean_loss();
    for (int epoch = 0; epoch < 100; ++epoch)
        for (std::size_t s = 0; s < samples; ++s) {
            SoftmaxCrossEntropy::compute(net->forward(inputs[s]), s % 3, gradient);
            net->backward(gradient);
            optimizer.step(*net);
        }
    const double after = mean_loss();
    BOOST_TEST_MESSAGE("mean loss " << before << " -> " << after);
    BOOST_TEST(after < 0.2 * before);
    // The optimizer trained the user layer too.
    BOOST_TEST(!all_equal(net->layer_tensor<1, "scale">(), 1.0));
    BOOST_TEST(!all_equal(net->layer_tensor<5, "shift">(), 0.0));
}

BOOST_AUTO_TEST_CASE(summary_and_signature_show_the_user_layer) {
    const std::string table = ScaledNet<float>::summary();
    BOOST_TEST_MESSAGE(table);
    BOOST_TEST(table.find("\n1       Scale channels=4") != std::string::npos);
    BOOST_TEST(table.find("scale 4, shift 4") != std::string::npos);
    const std::string_view signature = network_signature<ScaledNet<float>>;
    BOOST_TEST(signature.find("; Scale channels=4 -> 4x4x4; Tanh -> 4x4x4") != std::string_view::npos);
}
