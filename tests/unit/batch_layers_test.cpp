// BatchNorm, Dropout, GlobalAvgPool and DepthwiseConv2D: known answers, modes, and gradients in
// double through whole networks (BatchNorm in training mode through its batch statistics).
#define BOOST_TEST_MODULE batch_layers
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstddef>

#include "../support/gradient_check.hpp"
#include "../support/network_batch_check.hpp"

#include <typenet/typenet.hpp>

using namespace typenet;
using typenet_test::fill_inputs;
using typenet_test::randomize;
// === GlobalAvgPool ===========================================================================

BOOST_AUTO_TEST_CASE(global_avg_pool_averages_each_channel) {
    static Network<Input<2, 2, 2>, GlobalAvgPool> net;
    static_assert(decltype(net)::output_shape == Shape<2>{});
    BOOST_TEST((net.forward({{1, 2, 3, 6, -1, -1, -1, 7}}) == Tensor<Shape<2>>{{3, 1}}));
}

BOOST_AUTO_TEST_CASE(global_avg_pool_gradients) { typenet_test::check_layer_gradients<GlobalAvgPool, Shape<3, 2, 5>>(1); }

// === DepthwiseConv2D =========================================================================

BOOST_AUTO_TEST_CASE(depthwise_convolves_each_channel_with_its_own_kernel) {
    // Channel 0 with the 2x2 kernel (1 0; 0 1), channel 1 with (0 1; 1 0), biases 10 and 20, on
    // two 3x3 channels: each output is the sum of a diagonal pair, plus the bias.
    using Net = Network<Input<2, 3, 3>, DepthwiseConv2D<Kernel<2>>>;
    static Net net;
    static_assert(Net::output_shape == Shape<2, 2, 2>{});
    static_assert(Net::layer_tensors<0>[0].shape == detail::shape_value<Shape<2, 1, 2, 2>>());
    net.parameters() = {{1, 0, 0, 1, 0, 1, 1, 0, 10, 20}};
    const auto& y = net.forward({{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90}});
    BOOST_TEST((y == Tensor<Shape<2, 2, 2>>{{16, 18, 22, 24, 80, 100, 140, 160}}));
}

BOOST_AUTO_TEST_CASE(depthwise_with_stride_and_same_padding) {
    // One channel, 3x3 kernel of ones, Pad<same>, Stride<2> on 4x4 values 1..16: output 2x2 of
    // sums over the padded 3x3 windows centred at (0,0), (0,2), (2,0), (2,2).
    static Network<Input<1, 4, 4>, DepthwiseConv2D<Stride<2>, Kernel<3>, Pad<same>>> net;
    net.parameters() = {{1, 1, 1, 1, 1, 1, 1, 1, 1, 0}};
    Tensor<Shape<1, 4, 4>> x;
    for (std::size_t i = 0; i < 16; ++i) x[i] = float(i + 1);
    BOOST_TEST((net.forward(x) == Tensor<Shape<1, 2, 2>>{{1 + 2 + 5 + 6, 2 + 3 + 4 + 6 + 7 + 8, 5 + 6 + 9 + 10 + 13 + 14,
                                                           6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16}}));
}

BOOST_AUTO_TEST_CASE(depthwise_gradients) {
    typenet_test::check_layer_gradients<DepthwiseConv2D<>, Shape<2, 5, 4>>(2);
    typenet_test::check_layer_gradients<DepthwiseConv2D<Kernel<3>, Stride<2>, Pad<same>>, Shape<3, 7, 6>>(3);
    typenet_test::check_layer_gradients<DepthwiseConv2D<Kernel<1, 3>, Pad<0, 1>>, Shape<2, 3, 3>>(4);
}

// === Dropout =================================================================================

BOOST_AUTO_TEST_CASE(dropout_drops_at_its_rate_and_scales_the_rest) {
    using Net = Network<Input<1000>, Dropout<std::ratio<1, 2>>>;
    static Net net;
    static Net::Batch<4> batch;
    batch.inputs.fill(1.0f);
    net.forward(batch, Mode::training, 5);
    std::size_t dropped = 0;
    for (const float v : batch.outputs) {
        BOOST_TEST((v == 0.0f || v == 2.0f));
        dropped += v == 0.0f;
    }
    BOOST_TEST(dropped > 1900u);  // 4000 values at rate 1/2: 2000 expected, sd 32
    BOOST_TEST(dropped < 2100u);
    const auto first = batch.outputs;
    net.forward(batch, Mode::training, 5);
    BOOST_TEST((batch.outputs == first));  // same seed, same mask
    net.forward(batch, Mode::training, 6);
    BOOST_TEST(!(batch.outputs == first));
    net.forward(batch, Mode::evaluation, 5);
    for (const float v : batch.outputs) BOOST_TEST(v == 1.0f);
}

// === BatchNorm ===============================================================================

BOOST_AUTO_TEST_CASE(batch_norm_training_uses_batch_statistics) {
    // Two features over a batch of 2: (1, 10) and (3, 30). Feature 0: mean 2, biased variance 1;
    // feature 1: mean 20, variance 100. Weight 2 and bias 1 on feature 0, 1 and 0 on feature 1.
    using Net = BasicNetwork<double, Input<2>, BatchNorm>;
    static Net net;
    initialize(net, Init::he_uniform, 1);
    net.layer_tensor<0, "weight">()[0] = 2;
    net.layer_tensor<0, "bias">()[0] = 1;
    static Net::Batch<2> batch;
    batch.inputs = {{1, 10, 3, 30}};
    net.forward(batch, Mode::training);
    const double e = 1e-5;
    BOOST_TEST(batch.outputs[0] == 2 * -1 / std::sqrt(1 + e) + 1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(batch.outputs[2] == 2 * 1 / std::sqrt(1 + e) + 1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(batch.outputs[1] == -10 / std::sqrt(100 + e), boost::test_tools::tolerance(1e-12));
    // Running statistics move 0.1 of the way, the variance unbiased (n / (n - 1) = 2).
    const auto mean = net.layer_tensor<0, "running_mean">();
    const auto variance = net.layer_tensor<0, "running_var">();
    BOOST_TEST(mean[0] == 0.2, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(mean[1] == 2.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(variance[0] == 0.9 + 0.1 * 2, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(variance[1] == 0.9 + 0.1 * 200, boost::test_tools::tolerance(1e-12));

    // Evaluation uses the running statistics and changes nothing.
    const auto parameters = net.parameters();
    net.forward(batch, Mode::evaluation);
    BOOST_TEST(batch.outputs[0] == 2 * (1 - 0.2) / std::sqrt(1.1 + e) + 1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST((net.parameters() == parameters));
    BOOST_TEST(net.forward({{1, 10}})[0] == batch.outputs[0]);  // a sample alone: evaluation mode
}

BOOST_AUTO_TEST_CASE(batch_norm_lists_its_state) {
    using L = BatchNorm::bound<Shape<4, 3, 3>, float>;
    static_assert(L::parameters::tensors[0].name == "weight" && L::parameters::tensors[0].init == InitRule::ones);
    static_assert(!L::parameters::tensors[0].decays() && !L::parameters::tensors[1].decays());
    static_assert(L::parameters::tensors[2].name == "running_mean" && L::parameters::tensors[2].role == Role::state);
    static_assert(L::parameters::tensors[3].name == "running_var" && L::parameters::tensors[3].init == InitRule::ones);
    static_assert(L::parameters::size == 16);
    using Custom = BatchNormalization<Epsilon<1, 1000>, Momentum<1, 100>>;
    static_assert(Custom::settings[0].second == 1 && Custom::settings[1].second == 100 && Custom::settings[3].second == 1000);
}

BOOST_AUTO_TEST_CASE(batch_norm_is_left_alone_by_the_optimizer) {
    using Net = Network<Input<3>, Dense<2>, BatchNorm>;
    static Net net;
    initialize(net, Init::he_uniform, 2);
    net.layer_tensor<1, "running_mean">()[0] = 0.5f;
    auto optimizer =
        make_optimizer<Net>(for_all_layers(SGD{.learning_rate = 0.1, .weight_decay = 0.5}, Constant{}, DecayScope::declared));
    net.gradients().fill(1.0f);
    optimizer.step(net);
    const auto mean = net.layer_tensor<1, "running_mean">();
    const auto variance = net.layer_tensor<1, "running_var">();
    const auto weight = net.layer_tensor<1, "weight">();
    BOOST_TEST(mean[0] == 0.5f);  // state: untouched
    BOOST_TEST(variance[0] == 1.0f);
    BOOST_TEST(weight[0] == 1.0f - 0.1f);  // trained, and spared by DecayScope::declared
}

// === whole networks in double ================================================================

template <class T>
using Normalized = BasicNetwork<T, Input<2, 5, 5>, Conv2D<3, Kernel<3>, Pad<same>>, BatchNorm, Tanh,
                                Residual<DepthwiseConv2D<Kernel<3>, Pad<same>>, BatchNorm, Tanh>, Dropout<std::ratio<1, 3>>,
                                Concat<Sequential<Conv2D<2, Kernel<1>>, BatchNorm>, DepthwiseConv2D<Pad<1>>>,
                                GlobalAvgPool, Dense<4>, BatchNorm, Tanh, Dense<3>>;

BOOST_AUTO_TEST_CASE(gradients_through_batch_statistics_and_masks) {
    using Net = Normalized<double>;
    static Net net;
    randomize(net, 20);
    static Net::Batch<4> batch;
    fill_inputs<Net>(batch, 21);
    typenet_test::check_batch_gradients<SoftmaxCrossEntropy, 4>(net, batch, {0, 1, 2, 1}, Mode::training);
}

BOOST_AUTO_TEST_CASE(gradients_in_evaluation_mode) {
    using Net = Normalized<double>;
    static Net net;
    randomize(net, 22);
    for (const ParameterInfo& tensor : Net::parameter_tensors)  // running statistics away from 0 and 1
        if (tensor.role == Role::state)
            for (std::size_t i = 0; i < tensor.size; ++i) net.parameters()[tensor.offset + i] += 0.25 + 0.1 * double(i);
    static Net::Batch<3> batch;
    fill_inputs<Net>(batch, 23);
    typenet_test::check_batch_gradients<SoftmaxCrossEntropy, 3>(net, batch, {2, 0, 1}, Mode::evaluation);
}

BOOST_AUTO_TEST_CASE(inference_runs_evaluation_mode) {
    using Net = Normalized<float>;
    static Net net;
    randomize(net, 24);
    static Net::Batch<2> batch;
    fill_inputs<Net>(batch, 25);
    net.forward(batch, Mode::training);  // moves the running statistics
    static Inference<Net> inference(net);
    typename Net::input_tensor x;
    std::copy_n(batch.inputs.data(), x.size(), x.data());
    const auto p = inference.predict(x);
    const auto& y = net.forward(x);
    for (std::size_t i = 0; i < y.size(); ++i) BOOST_TEST(p[i] == y[i]);
}

BOOST_AUTO_TEST_CASE(an_empty_pass_leaves_the_running_statistics_alone) {
    using Net = Network<Input<2>, BatchNorm>;
    static Net net;
    initialize(net, Init::he_uniform, 3);
    const auto before = net.parameters();
    static Net::Batch<4> batch;
    net.forward(batch, Mode::training, 0, 0);  // a pass over no samples: no statistics, no NaN
    net.backward(batch);
    BOOST_TEST((net.parameters() == before));
    for (const float g : net.gradients()) BOOST_TEST(g == 0.0f);
}
