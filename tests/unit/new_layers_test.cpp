// GlobalAvgPool, DepthwiseConv2D, Dropout and BatchNorm as bound layers, called directly: known
// answers, shape checks, parameter lists, modes, and finite-difference gradients in double (the
// batched layers' over a whole batch, BatchNorm's through its batch statistics).
#define BOOST_TEST_MODULE new_layers
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ratio>
#include <string_view>
#include <vector>

#include <typenet/layers/batch_norm.hpp>
#include <typenet/layers/depthwise_conv2d.hpp>
#include <typenet/layers/dropout.hpp>
#include <typenet/layers/global_avg_pool.hpp>

#include "../support/batch_check.hpp"
#include "../support/gradient_check.hpp"

namespace tt = boost::test_tools;
using namespace typenet;
using namespace typenet_test;

namespace {

template <class S>
Tensor<S, double> tensor(std::initializer_list<double> values) {
    BOOST_REQUIRE_EQUAL(values.size(), S::size);
    Tensor<S, double> t;
    std::copy(values.begin(), values.end(), t.begin());
    return t;
}

/// Layer's per-sample forward in double for these parameters and this input.
template <class Layer, class In>
auto forward(const std::vector<double>& params, const Tensor<In, double>& x) {
    using L = bound<Layer, In, double>;
    Tensor<typename L::output_shape, double> y;
    Runner<L, double>{}.forward(params.data(), x, y);
    return y;
}

template <class S>
void check_close(const Tensor<S, double>& actual, std::initializer_list<double> expected) {
    BOOST_REQUIRE_EQUAL(expected.size(), S::size);
    for (std::size_t i = 0; i < S::size; ++i)
        BOOST_TEST(actual[i] == expected.begin()[i], tt::tolerance(1e-12) << "at flat index " << i);
}

constexpr PassContext training(std::uint64_t seed = 0) { return {Mode::training, seed}; }
constexpr PassContext evaluation() { return {Mode::evaluation, 0}; }

}  // namespace

// === GlobalAvgPool ===========================================================================

BOOST_AUTO_TEST_CASE(global_avg_pool_takes_images_to_one_flat_mean_per_channel) {
    BOOST_TEST((GlobalAvgPool::propagate(make_shape(5, 4, 3)).output == make_shape(5)));
    BOOST_TEST((GlobalAvgPool::propagate(make_shape(12)).problem == Problem::needs_image_input));
    static_assert(GlobalAvgPool::settings.empty() && GlobalAvgPool::kind == "GlobalAvgPool");
    static_assert(bound<GlobalAvgPool, Shape<5, 4, 3>, float>::parameters::size == 0);
}

BOOST_AUTO_TEST_CASE(global_avg_pool_averages_a_2x2x2_input) {
    using In = Shape<2, 2, 2>;
    const auto y = forward<GlobalAvgPool, In>({}, tensor<In>({1, 2, 3, 6, -4, 0, 2, 10}));
    check_close(y, {3, 2});
}

BOOST_AUTO_TEST_CASE(global_avg_pool_spreads_the_gradient_evenly) {
    using In = Shape<2, 2, 2>;
    using L = bound<GlobalAvgPool, In, double>;
    Runner<L, double> runner;
    const auto x = tensor<In>({1, 2, 3, 6, -4, 0, 2, 10});
    Tensor<Shape<2>, double> y;
    runner.forward(nullptr, x, y);
    Tensor<In, double> dx;
    dx.fill(99);  // must be overwritten
    runner.backward(nullptr, nullptr, x, y, tensor<Shape<2>>({4, -8}), dx);
    check_close(dx, {1, 1, 1, 1, -2, -2, -2, -2});
}

BOOST_AUTO_TEST_CASE(global_avg_pool_gradients) {
    check_layer_gradients<GlobalAvgPool, Shape<3, 2, 5>>(11);
    check_layer_gradients<GlobalAvgPool, Shape<1, 1, 1>>(12);
    check_layer_gradients<GlobalAvgPool, Shape<4, 3, 3>>(13);
}

// === DepthwiseConv2D =========================================================================

BOOST_AUTO_TEST_CASE(depthwise_settings_and_shape_checks_match_conv2d) {
    using Same = DepthwiseConv2D<Pad<same>, Kernel<5, 3>, Stride<2, 1>>;
    static_assert(Same::kind == "DepthwiseConv2D");
    static_assert(Same::settings == std::array<LayerSetting, 6>{{{"kernel_h", 5},
                                                                 {"kernel_w", 3},
                                                                 {"stride_h", 2},
                                                                 {"stride_w", 1},
                                                                 {"pad_h", 2},
                                                                 {"pad_w", 1}}});
    static_assert(DepthwiseConv2D<>::settings[4].second == 0);  // Pad<0> by default
    BOOST_TEST((Same::propagate(make_shape(3, 9, 7)).output == make_shape(3, 5, 7)));
    BOOST_TEST((DepthwiseConv2D<>::propagate(make_shape(2, 5, 5)).output == make_shape(2, 3, 3)));
    BOOST_TEST((DepthwiseConv2D<>::propagate(make_shape(27)).problem == Problem::needs_image_input));
    BOOST_TEST((DepthwiseConv2D<>::propagate(make_shape(0, 5, 5)).problem == Problem::zero_size));
    BOOST_TEST((DepthwiseConv2D<Stride<0>>::propagate(make_shape(1, 5, 5)).problem == Problem::zero_size));
    BOOST_TEST((DepthwiseConv2D<Kernel<2>, Pad<same>>::propagate(make_shape(1, 5, 5)).problem ==
                Problem::same_needs_odd_kernel));
    BOOST_TEST((DepthwiseConv2D<Kernel<5>>::propagate(make_shape(1, 3, 3)).problem == Problem::window_too_large));
    BOOST_TEST((DepthwiseConv2D<Kernel<5>, Pad<1>>::propagate(make_shape(1, 3, 3)).output == make_shape(1, 1, 1)));
}

BOOST_AUTO_TEST_CASE(depthwise_lists_one_kernel_per_channel) {
    using L = bound<DepthwiseConv2D<Kernel<3>>, Shape<4, 6, 6>, float>;
    static_assert(L::parameters::tensors[0].name == "weight");
    static_assert(L::parameters::tensors[0].shape == detail::shape_value<Shape<4, 1, 3, 3>>());
    static_assert(L::parameters::tensors[0].init == InitRule::fan_scaled && L::parameters::tensors[0].decays());
    static_assert(L::parameters::tensors[0].fan_in == 9);  // one input channel per kernel, as PyTorch counts
    static_assert(L::parameters::tensors[1].name == "bias" && !L::parameters::tensors[1].decays());
    static_assert(L::parameters::tensors[1].shape == detail::shape_value<Shape<4>>());
    static_assert(L::output_shape{} == Shape<4, 4, 4>{});
    BOOST_TEST(L::parameters::offset("bias") == 36u);  // the biases follow the 4 x 9 kernel taps
}

BOOST_AUTO_TEST_CASE(depthwise_rectangular_kernel_at_stride_1) {
    // y = 2 * x(i, j) - x(i, j + 1) + bias 0.5.
    const auto y = forward<DepthwiseConv2D<Kernel<1, 2>>, Shape<1, 2, 3>>({2, -1, 0.5}, tensor<Shape<1, 2, 3>>({1, 2, 3, 4, 5, 6}));
    check_close(y, {0.5, 1.5, 3.5, 4.5});
}

BOOST_AUTO_TEST_CASE(depthwise_stride_2_without_padding) {
    // Kernel (1 2; 3 4) over the four disjoint 2x2 blocks of 1..16.
    std::vector<double> params{1, 2, 3, 4, 0};
    Tensor<Shape<1, 4, 4>, double> x;
    for (std::size_t i = 0; i < 16; ++i) x[i] = double(i + 1);
    check_close(forward<DepthwiseConv2D<Kernel<2>, Stride<2>>, Shape<1, 4, 4>>(params, x), {44, 64, 124, 144});
}

BOOST_AUTO_TEST_CASE(depthwise_stride_2_with_same_padding_keeps_channels_apart) {
    // 3x3 kernels, one zero of padding each side, windows centred at rows/columns 0 and 2.
    // Channel 0's kernel is 1 at (top, middle) and 10 at (bottom, right): y = x(r-1, c) +
    // 10 x(r+1, c+1), zero where a tap falls outside. Channel 1's is 2 at the centre: y = 2 x(r, c).
    std::vector<double> params(20, 0.0);
    params[1] = 1;       // channel 0, ky 0, kx 1
    params[8] = 10;      // channel 0, ky 2, kx 2
    params[9 + 4] = 2;   // channel 1, centre
    params[18] = 0.5;    // bias of channel 0
    params[19] = -1;     // bias of channel 1
    const auto x = tensor<Shape<2, 3, 3>>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90});
    const auto y = forward<DepthwiseConv2D<Stride<2>, Pad<same>, Kernel<3>>, Shape<2, 3, 3>>(params, x);
    check_close(y, {50.5, 0.5, 4.5, 6.5, 19, 59, 139, 179});
}

BOOST_AUTO_TEST_CASE(depthwise_gradients) {
    check_layer_gradients<DepthwiseConv2D<>, Shape<2, 5, 4>>(21);
    check_layer_gradients<DepthwiseConv2D<Kernel<3>, Stride<2>>, Shape<3, 7, 6>>(22);
    check_layer_gradients<DepthwiseConv2D<Pad<same>, Stride<2>>, Shape<2, 6, 5>>(23);
    check_layer_gradients<DepthwiseConv2D<Kernel<1, 3>, Pad<0, 1>>, Shape<2, 3, 3>>(24);
    check_layer_gradients<DepthwiseConv2D<Kernel<2, 3>, Stride<1, 2>, Pad<1>>, Shape<3, 4, 5>>(25);
    check_layer_gradients<DepthwiseConv2D<Kernel<5>, Pad<same>>, Shape<1, 3, 4>>(26);
}

// === Dropout =================================================================================

using Half = Dropout<std::ratio<1, 2>>;
using Quarter = Dropout<std::ratio<1, 4>>;

BOOST_AUTO_TEST_CASE(dropout_describes_its_rate_and_keeps_any_shape) {
    static_assert(Quarter::kind == "Dropout");
    static_assert(Quarter::settings == std::array<LayerSetting, 2>{{{"rate_num", 1}, {"rate_den", 4}}});
    BOOST_TEST((Quarter::propagate(make_shape(3, 4, 5)).output == make_shape(3, 4, 5)));
    BOOST_TEST((Quarter::propagate(make_shape(7)).output == make_shape(7)));
    static_assert(bound<Quarter, Shape<7>, float>::parameters::size == 0);
    static_assert(bound<Quarter, Shape<3, 4, 5>, float>::scratch_size == 60);  // one multiplier per value
    static_assert(BoundLayer<bound<Quarter, Shape<7>, float>, float>);
    static_assert(BatchedLayer<bound<Quarter, Shape<7>, float>, float>);
}

BOOST_AUTO_TEST_CASE(dropout_evaluation_is_the_identity) {
    using L = bound<Half, Shape<2, 3>, double>;
    BatchRunner<L, 3, double> run;
    for (std::size_t i = 0; i < run.x.size(); ++i) run.x[i] = double(i) - 7.5;
    run.forward(evaluation());
    BOOST_TEST(run.y == run.x, tt::per_element());
    for (std::size_t i = 0; i < run.dy.size(); ++i) run.dy[i] = 0.25 * double(i);
    run.backward(evaluation());
    BOOST_TEST(run.dx == run.dy, tt::per_element());

    std::vector<double> scratch(L::scratch_size);
    Tensor<Shape<2, 3>, double> x = tensor<Shape<2, 3>>({1, -2, 3, -4, 5, -6}), y;
    L::forward(nullptr, x, y, scratch.data());  // per sample: what inference runs
    BOOST_TEST((y == x));
}

/// Values 1..n through a training pass of Dropout<Rate> over a batch of 4 x 500 with this seed.
template <class Layer>
BatchRunner<bound<Layer, Shape<500>, double>, 4, double> dropout_training_pass(std::uint64_t seed) {
    BatchRunner<bound<Layer, Shape<500>, double>, 4, double> run;
    for (std::size_t i = 0; i < run.x.size(); ++i) run.x[i] = double(i + 1);
    run.forward(training(seed));
    return run;
}

BOOST_AUTO_TEST_CASE(dropout_training_drops_at_its_rate_and_scales_the_rest) {
    const auto half = dropout_training_pass<Half>(3);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < half.y.size(); ++i) {
        BOOST_TEST((half.y[i] == 0.0 || half.y[i] == 2 * half.x[i]), "at " << i);
        dropped += half.y[i] == 0.0;
    }
    BOOST_TEST(dropped > 900u);  // 2000 values at rate 1/2: 1000 expected, sd 22
    BOOST_TEST(dropped < 1100u);

    const auto quarter = dropout_training_pass<Quarter>(3);
    dropped = 0;
    for (std::size_t i = 0; i < quarter.y.size(); ++i) {
        BOOST_TEST((quarter.y[i] == 0.0 || std::abs(quarter.y[i] - quarter.x[i] * 4 / 3) <= 1e-12 * quarter.x[i]),
                   "at " << i);
        dropped += quarter.y[i] == 0.0;
    }
    BOOST_TEST(dropped > 400u);  // 2000 values at rate 1/4: 500 expected, sd 19
    BOOST_TEST(dropped < 600u);
}

BOOST_AUTO_TEST_CASE(dropout_masks_follow_the_seed) {
    const auto first = dropout_training_pass<Half>(42);
    BOOST_TEST(dropout_training_pass<Half>(42).y == first.y, tt::per_element());
    const auto other = dropout_training_pass<Half>(43);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < first.y.size(); ++i) differ += (first.y[i] == 0.0) != (other.y[i] == 0.0);
    BOOST_TEST(differ > 800u);  // independent masks disagree on about half the values
    // The samples of one batch get different masks too: the index runs over the whole batch.
    std::size_t differ_across_samples = 0;
    for (std::size_t i = 0; i < 500; ++i) differ_across_samples += (first.y[i] == 0.0) != (first.y[500 + i] == 0.0);
    BOOST_TEST(differ_across_samples > 150u);
}

BOOST_AUTO_TEST_CASE(dropout_backward_applies_the_forward_mask) {
    auto run = dropout_training_pass<Quarter>(9);
    for (std::size_t i = 0; i < run.dy.size(); ++i) run.dy[i] = 1.0 - 0.001 * double(i);
    run.backward(training(9));
    for (std::size_t i = 0; i < run.dx.size(); ++i)
        BOOST_TEST(run.dx[i] == run.dy[i] * run.y[i] / run.x[i], tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(dropout_leaves_samples_past_a_partial_batch_alone) {
    using L = bound<Half, Shape<10>, double>;
    BatchRunner<L, 3, double> run;
    std::fill(run.x.begin(), run.x.end(), 1.0);
    std::fill(run.y.begin(), run.y.end(), -5.0);
    run.forward({Mode::training, 1, 2});
    for (std::size_t i = 20; i < 30; ++i) BOOST_TEST(run.y[i] == -5.0);
    BOOST_TEST(std::count(run.y.begin(), run.y.begin() + 20, -5.0) == 0);
}

BOOST_AUTO_TEST_CASE(dropout_gradients_with_a_fixed_mask) {
    check_batch_layer_gradients<Half, Shape<3, 2, 3>, 4>(training(5), 31);
    check_batch_layer_gradients<Quarter, Shape<7>, 3>(training(6), 32);
    check_batch_layer_gradients<Quarter, Shape<7>, 3>(evaluation(), 33);
}

// === BatchNorm ===============================================================================

BOOST_AUTO_TEST_CASE(batch_norm_lists_pytorchs_tensors_in_pytorchs_order) {
    using L = bound<BatchNorm, Shape<4, 3, 3>, float>;
    constexpr auto& t = L::parameters::tensors;
    static_assert(L::parameters::tensor_count == 4 && L::parameters::size == 16);
    static_assert(t[0].name == "weight" && t[0].init == InitRule::ones && t[0].role == Role::trained && !t[0].decays());
    static_assert(t[1].name == "bias" && t[1].init == InitRule::zeros && t[1].role == Role::trained && !t[1].decays());
    static_assert(t[2].name == "running_mean" && t[2].init == InitRule::zeros && t[2].role == Role::state);
    static_assert(t[3].name == "running_var" && t[3].init == InitRule::ones && t[3].role == Role::state);
    static_assert(t[3].shape == detail::shape_value<Shape<4>>());
    static_assert(bound<BatchNorm, Shape<6>, float>::parameters::tensors[2].shape == detail::shape_value<Shape<6>>());
    static_assert(BatchedLayer<L, float> && BoundLayer<L, float>);
    std::vector<std::string_view> names;
    for (const ParameterInfo& tensor : t) names.push_back(tensor.name);
    const std::vector<std::string_view> pytorch{"weight", "bias", "running_mean", "running_var"};
    BOOST_TEST(names == pytorch, tt::per_element());
}

BOOST_AUTO_TEST_CASE(batch_norm_settings_and_shapes) {
    static_assert(BatchNorm::kind == "BatchNorm");
    static_assert(BatchNorm::settings == std::array<LayerSetting, 4>{{{"momentum_num", 1},
                                                                      {"momentum_den", 10},
                                                                      {"epsilon_num", 1},
                                                                      {"epsilon_den", 100000}}});
    using Custom = BatchNormalization<Epsilon<1, 1000>, Momentum<3, 100>>;
    static_assert(Custom::settings[0].second == 3 && Custom::settings[1].second == 100);
    static_assert(Custom::settings[2].second == 1 && Custom::settings[3].second == 1000);
    BOOST_TEST((BatchNorm::propagate(make_shape(3, 4, 5)).output == make_shape(3, 4, 5)));
    BOOST_TEST((BatchNorm::propagate(make_shape(8)).output == make_shape(8)));
    BOOST_TEST((BatchNorm::propagate(ShapeValue{2, {3, 4, 0, 0}, true}).problem != Problem::none));
}

BOOST_AUTO_TEST_CASE(batch_norm_training_normalises_channels_over_batch_and_positions) {
    // C = 1, H = 1, W = 2, B = 2: values 1, 2 and 3, 6. Mean 3; squared deviations 4, 1, 0, 9:
    // biased variance 14 / 4, unbiased 14 / 3. Weight 2, bias 0.5.
    using L = bound<BatchNorm, Shape<1, 1, 2>, double>;
    BatchRunner<L, 2, double> run;
    run.params = {2, 0.5, 0, 1};
    run.x = {1, 2, 3, 6};
    run.forward(training());
    const double inv_std = 1 / std::sqrt(3.5 + 1e-5);
    const std::vector<double> expected{-2 * 2 * inv_std + 0.5, -1 * 2 * inv_std + 0.5, 0.5, 3 * 2 * inv_std + 0.5};
    BOOST_TEST(run.y == expected, tt::tolerance(1e-12) << tt::per_element());
    // Running statistics move a tenth of the way, the variance unbiased.
    BOOST_TEST(run.params[2] == 0.3, tt::tolerance(1e-12));
    BOOST_TEST(run.params[3] == 0.9 + 0.1 * 14.0 / 3.0, tt::tolerance(1e-12));
    BOOST_TEST(run.params[0] == 2.0);  // training writes only the state tensors
    BOOST_TEST(run.params[1] == 0.5);
}

BOOST_AUTO_TEST_CASE(batch_norm_training_normalises_features_over_the_batch) {
    // Shape<2>, B = 3. Feature 0: 1, 2, 6 (mean 3, biased variance 14/3, unbiased 7); feature 1:
    // 0, 0, 3 (mean 1, biased 2, unbiased 3). Momentum 1/2, epsilon 1/1000.
    using L = bound<BatchNormalization<Momentum<1, 2>, Epsilon<1, 1000>>, Shape<2>, double>;
    BatchRunner<L, 3, double> run;
    run.params = {1, -1, 0, 2, 4, 1, 5, 3};  // weights 1, -1; biases 0, 2
    run.x = {1, 0, 2, 0, 6, 3};
    run.forward(training());
    const double s0 = 1 / std::sqrt(14.0 / 3 + 1e-3), s1 = -1 / std::sqrt(2 + 1e-3);
    const std::vector<double> expected{-2 * s0, 2 - s1, -s0, 2 - s1, 3 * s0, 2 + 2 * s1};
    BOOST_TEST(run.y == expected, tt::tolerance(1e-12) << tt::per_element());
    const std::vector<double> running{(4 + 3) / 2.0, (1 + 1) / 2.0, (5 + 7) / 2.0, (3 + 3) / 2.0};
    BOOST_TEST(std::vector<double>(run.params.begin() + 4, run.params.end()) == running,
               tt::tolerance(1e-12) << tt::per_element());
}

BOOST_AUTO_TEST_CASE(batch_norm_evaluation_uses_the_running_statistics) {
    // Running mean 1 and variance 4 - eps on channel 0, 0 and 1 - eps on channel 1.
    using L = bound<BatchNorm, Shape<2, 1, 2>, double>;
    BatchRunner<L, 2, double> run;
    run.params = {3, 1, 0.5, -1, 1, 0, 4 - 1e-5, 1 - 1e-5};
    run.x = {5, -3, 2, 4, 1, 9, 0, 0};
    const std::vector<double> params = run.params;
    run.forward(evaluation());
    const std::vector<double> expected{3 * 2 + 0.5, 3 * -2 + 0.5, 2 - 1, 4 - 1, 0.5, 3 * 4 + 0.5, -1, -1};
    BOOST_TEST(run.y == expected, tt::tolerance(1e-12) << tt::per_element());
    BOOST_TEST(run.params == params, tt::per_element());  // evaluation changes nothing

    // Backward through constants: dx = dy * weight / std, dweight = sum dy * xhat, dbias = sum dy.
    run.dy = {1, 2, 0, 0, -1, 0, 1, 1};
    run.backward(evaluation());
    const std::vector<double> dx{1.5, 3, 0, 0, -1.5, 0, 1, 1};
    BOOST_TEST(run.dx == dx, tt::tolerance(1e-12) << tt::per_element());
    const std::vector<double> grads{1 * 2 + 2 * -2 + -1 * 0 + 0 * 4, 0, 2, 2, 0, 0, 0, 0};
    BOOST_TEST(run.grads == grads, tt::tolerance(1e-12) << tt::per_element());

    // The per-sample forward, what inference runs, is the same evaluation.
    Tensor<Shape<2, 1, 2>, double> y;
    L::forward(params.data(), tensor<Shape<2, 1, 2>>({5, -3, 2, 4}), y);
    check_close(y, {6.5, -5.5, 1, 3});
}

namespace {
/// BatchNorm's evaluation forward of one feature, run in constant evaluation: with epsilon 1/4,
/// running variance 3.75 gives a standard deviation of exactly 2.
constexpr double constant_batch_norm(double x) {
    using L = bound<BatchNormalization<Epsilon<1, 4>>, Shape<1>, double>;
    const double params[4] = {3, 1, 0.5, 3.75};
    const double in[1] = {x};
    double out[1] = {};
    L::forward(params, TensorView<Shape<1>, const double>{in}, TensorView<Shape<1>, double>{out});
    return out[0];
}
}  // namespace

BOOST_AUTO_TEST_CASE(batch_norm_evaluation_runs_in_constant_evaluation) {
    static_assert(constant_batch_norm(4.5) - 7.0 < 1e-12 && constant_batch_norm(4.5) - 7.0 > -1e-12);
    static_assert(constant_batch_norm(0.5) == 1.0);  // x at the mean: exactly the bias
    BOOST_TEST(constant_batch_norm(4.5) == 7.0, tt::tolerance(1e-15));  // std::sqrt at run time
}

BOOST_AUTO_TEST_CASE(batch_norm_gradients_through_the_batch_statistics) {
    check_batch_layer_gradients<BatchNorm, Shape<3, 2, 3>, 4>(training(), 41);  // after Conv2D
    check_batch_layer_gradients<BatchNorm, Shape<5>, 3>(training(), 42);        // after Dense
    check_batch_layer_gradients<BatchNormalization<Momentum<1, 2>, Epsilon<1, 100>>, Shape<2, 3, 1>, 2>(training(), 43);
    check_batch_layer_gradients<BatchNorm, Shape<5>, 4>({Mode::training, 0, 3}, 44);  // a partial batch
}

BOOST_AUTO_TEST_CASE(batch_norm_gradients_in_evaluation_mode) {
    check_batch_layer_gradients<BatchNorm, Shape<3, 2, 3>, 4>(evaluation(), 51);
    check_batch_layer_gradients<BatchNorm, Shape<5>, 3>(evaluation(), 52);
}

BOOST_AUTO_TEST_CASE(batch_norm_leaves_samples_past_a_partial_batch_alone) {
    // Statistics over the first two samples only: the third's huge values must not count.
    using L = bound<BatchNorm, Shape<1>, double>;
    BatchRunner<L, 3, double> run;
    run.params = {1, 0, 0, 1};
    run.x = {1, 3, 1000};
    run.y[2] = -5;
    run.forward({Mode::training, 0, 2});
    BOOST_TEST(run.y[0] == -1 / std::sqrt(1 + 1e-5), tt::tolerance(1e-12));
    BOOST_TEST(run.y[2] == -5.0);
    BOOST_TEST(run.params[2] == 0.2, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(batch_norm_calibration_averages_the_statistics_of_every_pass) {
    // Shape<1>, momentum 1/10 (which calibration ignores). Pass 1, two samples: 1, 3 (mean 2,
    // unbiased variance 2). Pass 2, one of three samples: 8 (mean 8, variance 0: one value).
    // Weighted by samples: mean (2 * 2 + 8) / 3 = 4, variance (2 * 2 + 0) / 3 = 4/3.
    using L = bound<BatchNorm, Shape<1>, double>;
    BatchRunner<L, 3, double> run;
    run.params = {2, 0.5, 100, 100};  // the running statistics training left: replaced, not moved
    run.x = {1, 3, 1000};
    run.forward({Mode::calibration, 0, 2, nullptr, 0});
    BOOST_TEST(run.params[2] == 2.0, tt::tolerance(1e-12));
    BOOST_TEST(run.params[3] == 2.0, tt::tolerance(1e-12));
    // It normalises by the batch's statistics, as training does.
    BOOST_TEST(run.y[0] == -1 * 2 / std::sqrt(1 + 1e-5) + 0.5, tt::tolerance(1e-12));
    run.x = {8, 1000, 1000};
    run.forward({Mode::calibration, 0, 1, nullptr, 2});
    BOOST_TEST(run.params[2] == 4.0, tt::tolerance(1e-12));
    BOOST_TEST(run.params[3] == 4.0 / 3.0, tt::tolerance(1e-12));
    BOOST_TEST(run.params[0] == 2.0);  // the trained tensors stay
    BOOST_TEST(run.params[1] == 0.5);
}

BOOST_AUTO_TEST_CASE(dropout_calibration_is_the_identity) {
    // Calibration measures statistics of the network evaluation runs, so it drops nothing.
    using L = bound<Half, Shape<2, 3>, double>;
    BatchRunner<L, 3, double> run;
    for (std::size_t i = 0; i < run.x.size(); ++i) run.x[i] = double(i) + 1;
    run.forward({Mode::calibration, 12345, 3, nullptr, 0});
    BOOST_TEST(run.y == run.x, tt::per_element());
}
