// Layers and losses: known answers for small inputs, and finite-difference gradient checks in double.
#define BOOST_TEST_MODULE layers
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <ratio>
#include <type_traits>
#include <utility>
#include <vector>

#include <typenet/typenet.hpp>

#include "../support/gradient_check.hpp"

namespace tt = boost::test_tools;
using namespace typenet;
using namespace typenet_test;

namespace {

template <class S, class T = float>
Tensor<S, T> tensor(std::initializer_list<std::type_identity_t<T>> values) {
    BOOST_REQUIRE_EQUAL(values.size(), S::size);
    Tensor<S, T> t;
    std::copy(values.begin(), values.end(), t.begin());
    return t;
}

template <class Layer, class In, class T>
auto forward(const std::vector<T>& params, const Tensor<In, T>& x) {
    using L = bound<Layer, In, T>;
    Tensor<typename L::output_shape, T> y;
    Runner<L, T>{}.forward(params.data(), x, y);
    return y;
}

/// The input gradient of a parameter-free layer for output gradient `dy`.
template <class Layer, class In, class T>
Tensor<In, T> input_gradient(const Tensor<In, T>& x, const Tensor<typename bound<Layer, In, T>::output_shape, T>& dy) {
    using L = bound<Layer, In, T>;
    static_assert(L::parameters::size == 0);
    Runner<L, T> runner;
    Tensor<typename L::output_shape, T> y;
    runner.forward(nullptr, x, y);
    Tensor<In, T> dx;
    dx.fill(T(12345));  // must be overwritten
    runner.backward(nullptr, nullptr, x, y, dy, dx);
    return dx;
}

template <class S, class T>
void check_equal(const Tensor<S, T>& actual, const Tensor<S, T>& expected) {
    for (std::size_t i = 0; i < S::size; ++i) BOOST_TEST(actual[i] == expected[i], "at flat index " << i);
}

template <class S, class T>
void check_close(const Tensor<S, T>& actual, const Tensor<S, T>& expected, double tolerance) {
    for (std::size_t i = 0; i < S::size; ++i)
        BOOST_TEST_CONTEXT("at flat index " << i) {
            BOOST_TEST(double(actual[i]) == double(expected[i]), tt::tolerance(tolerance));
        }
}

}  // namespace

// === Conv2D known answers ===================================================================

BOOST_AUTO_TEST_SUITE(conv2d)

BOOST_AUTO_TEST_CASE(stride_1_no_padding) {
    using In = Shape<1, 3, 4>;
    const auto x = tensor<In>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    const auto y = forward<Conv2D<1, Kernel<2>>>(std::vector<float>{1, 2, 3, 4, 0}, x);
    static_assert(decltype(y)::shape() == Shape<1, 2, 3>{});
    check_equal(y, tensor<Shape<1, 2, 3>>({44, 54, 64, 84, 94, 104}));
}

BOOST_AUTO_TEST_CASE(stride_2) {
    using In = Shape<1, 5, 5>;
    Tensor<In, float> x;
    for (std::size_t i = 0; i < In::size; ++i) x[i] = float(i + 1);
    const auto y = forward<Conv2D<1, Kernel<3>, Stride<2>>>(std::vector<float>{1, 0, -1, 0, 2, 0, -1, 0, 1, 0}, x);
    check_equal(y, tensor<Shape<1, 2, 2>>({14, 18, 34, 38}));
}

BOOST_AUTO_TEST_CASE(padding_1) {
    using In = Shape<1, 3, 3>;
    const auto x = tensor<In>({1, 2, 3, 4, 5, 6, 7, 8, 9});
    const auto y = forward<Conv2D<1, Kernel<3>, Pad<1>>>(std::vector<float>{1, 1, 1, 1, 1, 1, 1, 1, 1, 0}, x);
    // Each output is the sum of the 3x3 neighbourhood, zeros outside the image.
    check_equal(y, tensor<Shape<1, 3, 3>>({12, 21, 16, 27, 45, 33, 24, 39, 28}));
}

BOOST_AUTO_TEST_CASE(same_padding_equals_explicit_padding) {
    using In = Shape<2, 5, 6>;
    Random random(11);
    Tensor<In, float> x;
    for (auto& v : x) v = float(random.uniform(-1, 1));
    std::vector<float> params(bound<Conv2D<3, Kernel<5, 3>>, In, float>::parameters::size);
    for (auto& p : params) p = float(random.uniform(-1, 1));
    const auto same_padded = forward<Conv2D<3, Kernel<5, 3>, Pad<same>>>(params, x);
    const auto explicit_padded = forward<Conv2D<3, Kernel<5, 3>, Pad<2, 1>>>(params, x);
    static_assert(decltype(same_padded)::shape() == Shape<3, 5, 6>{});
    check_equal(same_padded, explicit_padded);
}

BOOST_AUTO_TEST_CASE(channels_filters_and_bias) {
    using In = Shape<2, 3, 3>;
    const auto x = tensor<In>({1, 2, 0, -1, 3, 1, 2, 0, -2,  //
                               0, 1, 1, 2, -1, 0, 1, 1, 3});
    // [filter][channel][ky][kx], then one bias per filter.
    const std::vector<float> params{1, 0, 0, 1, 2, -1, 0, 0,  //
                                    0, 1, -1, 0, 1, 1, 1, 1,  //
                                    0.5f, -1};
    const auto y = forward<Conv2D<2, Kernel<2>>>(params, x);
    check_equal(y, tensor<Shape<2, 2, 2>>({3.5f, 4.5f, 4.5f, -0.5f, 4, -3, 3, 3}));
}

BOOST_AUTO_TEST_CASE(non_square_kernel_stride_and_padding) {
    using In = Shape<1, 4, 5>;
    Tensor<In, float> x;
    for (std::size_t i = 0; i < In::size; ++i) x[i] = float(i + 1);
    const auto y = forward<Conv2D<1, Kernel<2, 3>, Stride<2, 1>, Pad<0, 1>>>(std::vector<float>{1, 0, 2, 0, -1, 1, 0.25f}, x);
    check_equal(y, tensor<Shape<1, 2, 5>>({5.25f, 8.25f, 11.25f, 14.25f, -5.75f, 25.25f, 38.25f, 41.25f, 44.25f, -5.75f}));
}

BOOST_AUTO_TEST_SUITE_END()

// === pooling known answers ==================================================================

BOOST_AUTO_TEST_SUITE(pooling)

using Image = Shape<1, 4, 4>;
static Tensor<Image, float> pool_input() {
    return tensor<Image>({1, 5, 2, 0,     //
                          3, 4, 8, 7,     //
                          -1, -2, 6, 6,   //
                          -3, -4, 6, 2});
}

BOOST_AUTO_TEST_CASE(max_forward) {
    check_equal(forward<MaxPool<2>>(std::vector<float>{}, pool_input()), tensor<Shape<1, 2, 2>>({5, 8, -1, 6}));
}

BOOST_AUTO_TEST_CASE(max_backward_routes_to_the_maximum) {
    const auto dx = input_gradient<MaxPool<2>>(pool_input(), tensor<Shape<1, 2, 2>>({10, 20, 30, 40}));
    // The bottom-right window holds 6 three times: the first one (row-major) gets the gradient.
    check_equal(dx, tensor<Image>({0, 10, 0, 0,   //
                                   0, 0, 20, 0,   //
                                   30, 0, 40, 0,  //
                                   0, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(max_backward_overlapping_windows_add_up) {
    // MaxPool<2, 1>: every window of this image has its maximum, 9, at the centre.
    const auto x = tensor<Shape<1, 3, 3>>({1, 2, 3, 4, 9, 5, 6, 7, 8});
    check_equal(forward<MaxPool<2, 1>>(std::vector<float>{}, x), tensor<Shape<1, 2, 2>>({9, 9, 9, 9}));
    const auto dx = input_gradient<MaxPool<2, 1>>(x, tensor<Shape<1, 2, 2>>({1, 2, 3, 4}));
    check_equal(dx, tensor<Shape<1, 3, 3>>({0, 0, 0, 0, 10, 0, 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(max_propagates_a_nan_anywhere_in_the_window) {
    // As in PyTorch: a NaN input makes its window's maximum NaN, wherever it sits, even when a
    // larger value follows it; the gradient goes to the NaN.
    constexpr float nan = std::numeric_limits<float>::quiet_NaN();
    const auto x = tensor<Shape<1, 3, 3>>({1, nan, 5,  //
                                           7, 2, 3,    //
                                           4, 6, 0});
    const auto y = forward<MaxPool<3>>(std::vector<float>{}, x);
    BOOST_TEST(std::isnan(y[0]));
    const auto dx = input_gradient<MaxPool<3>>(x, tensor<Shape<1, 1, 1>>({10}));
    check_equal(dx, tensor<Shape<1, 3, 3>>({0, 10, 0, 0, 0, 0, 0, 0, 0}));

    const auto last = tensor<Image>({1, 5, 2, 0,  //
                                     3, nan, 8, 7,  //
                                     -1, -2, 6, 6,  //
                                     -3, -4, 6, nan});
    const auto pooled = forward<MaxPool<2>>(std::vector<float>{}, last);
    BOOST_TEST(std::isnan(pooled[0]));
    BOOST_TEST(pooled[1] == 8.0f);
    BOOST_TEST(pooled[2] == -1.0f);
    BOOST_TEST(std::isnan(pooled[3]));
    // A NaN maximum takes the search that looks for it; the other windows still route to theirs.
    check_equal(input_gradient<MaxPool<2>>(last, tensor<Shape<1, 2, 2>>({1, 2, 3, 4})),
                tensor<Image>({0, 0, 0, 0,  //
                               0, 1, 2, 0,  //
                               3, 0, 0, 0,  //
                               0, 0, 0, 4}));
}

BOOST_AUTO_TEST_CASE(max_per_channel_and_floor) {
    // 2 channels of 5x5 with MaxPool<2>: the last row and column are dropped (floor rule).
    using In = Shape<2, 5, 5>;
    Tensor<In, float> x;
    for (std::size_t i = 0; i < In::size; ++i) x[i] = float(i);
    x(1, 4, 4) = 1000;  // outside every window: must not appear
    check_equal(forward<MaxPool<2>>(std::vector<float>{}, x), tensor<Shape<2, 2, 2>>({6, 8, 16, 18, 31, 33, 41, 43}));
    // Backward: each gradient at its window's maximum, and zeros where no window reaches.
    Tensor<Shape<2, 2, 2>, float> dy;
    for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = float(i + 1);
    Tensor<In, float> expected{};
    const std::size_t maxima[] = {6, 8, 16, 18, 31, 33, 41, 43};
    for (std::size_t i = 0; i < 8; ++i) expected[maxima[i]] = float(i + 1);
    check_equal(input_gradient<MaxPool<2>>(x, dy), expected);
}

BOOST_AUTO_TEST_CASE(average_forward_and_backward) {
    check_equal(forward<AvgPool<2>>(std::vector<float>{}, pool_input()), tensor<Shape<1, 2, 2>>({3.25f, 4.25f, -2.5f, 5}));
    const auto dx = input_gradient<AvgPool<2>>(pool_input(), tensor<Shape<1, 2, 2>>({4, 8, 12, 16}));
    check_equal(dx, tensor<Image>({1, 1, 2, 2,  //
                                   1, 1, 2, 2,  //
                                   3, 3, 4, 4,  //
                                   3, 3, 4, 4}));
}

BOOST_AUTO_TEST_SUITE_END()

// === Dense, Flatten, activations known answers =============================================

BOOST_AUTO_TEST_CASE(dense_forward) {
    // [unit][input], then biases.
    const std::vector<float> params{1, 2, 3, -1, 0, 0.5f, 0.25f, -2};
    const auto y = forward<Dense<2>>(params, tensor<Shape<3>>({1, -1, 2}));
    check_equal(y, tensor<Shape<2>>({1 - 2 + 6 + 0.25f, -1 + 0 + 1 - 2}));
}

BOOST_AUTO_TEST_CASE(dense_forward_long_input) {
    // 21 inputs: more than one 8-lane block of the dot product plus a remainder.
    Tensor<Shape<21>, double> x;
    std::vector<double> params(2 * 21 + 2);
    for (std::size_t i = 0; i < 21; ++i) {
        x[i] = double(i + 1);
        params[i] = 1;                // unit 0 sums the inputs
        params[21 + i] = double(i % 2);  // unit 1 sums the even values (odd positions)
    }
    params[42] = 0.5;
    params[43] = -1;
    check_equal(forward<Dense<2>>(params, x), tensor<Shape<2>, double>({231.5, 109}));
}

BOOST_AUTO_TEST_CASE(flatten_keeps_row_major_order) {
    using In = Shape<2, 2, 3>;
    Tensor<In, float> x;
    for (std::size_t i = 0; i < In::size; ++i) x[i] = float(10 * i);
    const auto y = forward<Flatten>(std::vector<float>{}, x);
    static_assert(decltype(y)::shape() == Shape<12>{});
    BOOST_TEST(y[0] == x(0, 0, 0));
    BOOST_TEST(y[5] == x(0, 1, 2));
    BOOST_TEST(y[7] == x(1, 0, 1));
    BOOST_TEST(y[11] == x(1, 1, 2));
}

BOOST_AUTO_TEST_CASE(leaky_relu_alpha) {
    using In = Shape<4>;
    const auto x = tensor<In>({-2, -0.5f, 1, 3});
    check_close(forward<LeakyReLU<std::ratio<1, 10>>>(std::vector<float>{}, x), tensor<In>({-0.2f, -0.05f, 1, 3}), 1e-6);
    check_close(forward<LeakyReLU<>>(std::vector<float>{}, x), tensor<In>({-0.002f, -0.0005f, 1, 3}), 1e-6);
    check_close(input_gradient<LeakyReLU<std::ratio<1, 10>>>(x, tensor<In>({1, 2, 3, 4})),
                tensor<In>({0.1f, 0.2f, 3, 4}), 1e-6);
    check_equal(forward<ReLU>(std::vector<float>{}, x), tensor<In>({0, 0, 1, 3}));
}

/// LeakyReLU and ReLU against their definitions, bit for bit, at signed zeros, subnormals,
/// infinities and alpha 0: the vectorisable forms must not differ anywhere.
template <class Alpha>
void check_leaky_relu_bits() {
    using In = Shape<12>;
    constexpr float alpha = float(Alpha::num) / float(Alpha::den);
    const float tiny = std::numeric_limits<float>::denorm_min(), inf = std::numeric_limits<float>::infinity();
    const auto x = tensor<In>({0.0f, -0.0f, tiny, -tiny, -3 * tiny, 1e-30f, -1e-30f, 2.5f, -2.5f, inf, -inf, -7e37f});
    const auto dy = tensor<In>({1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12});
    const auto y = forward<LeakyReLU<Alpha>>(std::vector<float>{}, x);
    const auto dx = input_gradient<LeakyReLU<Alpha>>(x, dy);
    for (std::size_t i = 0; i < In::size; ++i) {
        const float expected_y = x[i] > 0 ? x[i] : alpha * x[i];
        const float expected_dx = dy[i] * (x[i] > 0 ? 1.0f : alpha);
        BOOST_TEST(std::signbit(y[i]) == std::signbit(expected_y), "value " << i);
        BOOST_TEST((y[i] == expected_y || (std::isnan(y[i]) && std::isnan(expected_y))),
                   "value " << i << ": " << y[i] << " vs " << expected_y);
        BOOST_TEST(std::signbit(dx[i]) == std::signbit(expected_dx), "gradient " << i);
        BOOST_TEST(dx[i] == expected_dx, "gradient " << i << ": " << dx[i] << " vs " << expected_dx);
    }
    BOOST_TEST(std::isnan(forward<LeakyReLU<Alpha>>(std::vector<float>{}, tensor<Shape<1>>({std::nanf("")}))[0]));
}

BOOST_AUTO_TEST_CASE(leaky_relu_and_relu_are_their_definitions_bit_for_bit) {
    check_leaky_relu_bits<std::ratio<1, 1000>>();
    check_leaky_relu_bits<std::ratio<1, 10>>();
    check_leaky_relu_bits<std::ratio<0, 1>>();  // alpha 0: -0 for negative inputs, like the definition
    check_leaky_relu_bits<std::ratio<9, 10>>();
    using In = Shape<4>;
    const auto x = tensor<In>({-0.0f, 0.0f, -1, 2});
    const auto dx = input_gradient<ReLU>(x, tensor<In>({-5, 6, -7, 8}));
    check_equal(dx, tensor<In>({-0.0f, 0.0f, -0.0f, 8}));
    BOOST_TEST((std::signbit(dx[0]) && !std::signbit(dx[1]) && std::signbit(dx[2])));  // dy * 0 keeps dy's sign
}

BOOST_AUTO_TEST_CASE(relu_keeps_nan_and_gives_positive_zero) {
    // As PyTorch's: a NaN stays NaN, so a bad input or weight shows in the output and the loss.
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    using In = Shape<7>;
    const auto y = forward<ReLU>(std::vector<float>{}, tensor<In>({nan, -nan, -0.0f, 0.0f, -inf, inf, -1e-45f}));
    BOOST_TEST(std::isnan(y[0]));
    BOOST_TEST(std::isnan(y[1]));
    for (std::size_t i = 2; i < 5; ++i) BOOST_TEST((y[i] == 0.0f && !std::signbit(y[i])), "value " << i);
    BOOST_TEST(y[5] == inf);
    BOOST_TEST((y[6] == 0.0f && !std::signbit(y[6])));
    // Its gradient is 0 at NaN, like PyTorch's (dy times [y > 0]).
    const auto dx = input_gradient<ReLU>(tensor<Shape<1>>({nan}), tensor<Shape<1>>({3}));
    BOOST_TEST(dx[0] == 0.0f);
}

BOOST_AUTO_TEST_CASE(sigmoid_and_tanh_values) {
    using In = Shape<3>;
    const auto x = tensor<In, double>({0, 2, -0.5});
    check_close(forward<Sigmoid>(std::vector<double>{}, x),
                tensor<In, double>({0.5, 0.8807970779778823, 0.3775406687981454}), 1e-14);
    check_close(forward<Tanh>(std::vector<double>{}, x),
                tensor<In, double>({0, 0.9640275800758169, -0.46211715726000974}), 1e-14);
}

BOOST_AUTO_TEST_SUITE(softmax)

BOOST_AUTO_TEST_CASE(sums_to_one) {
    using In = Shape<2, 3, 4>;
    Random random(3);
    Tensor<In, float> x;
    for (auto& v : x) v = float(random.uniform(-5, 5));
    const auto y = forward<Softmax>(std::vector<float>{}, x);
    double sum = 0;
    for (float v : y) {
        BOOST_TEST(v > 0.f);
        sum += v;
    }
    BOOST_TEST(sum == 1.0, tt::tolerance(1e-6));
    // Order is kept: the largest input has the largest probability.
    const auto largest = std::max_element(x.begin(), x.end()) - x.begin();
    BOOST_TEST(std::max_element(y.begin(), y.end()) - y.begin() == largest);
}

BOOST_AUTO_TEST_CASE(stable_with_huge_logits) {
    using In = Shape<3>;
    // exp(1000) overflows float and double: the maximum must be subtracted first.
    const auto y = forward<Softmax>(std::vector<float>{}, tensor<In>({1000, 1001, 1002}));
    check_close(y, tensor<In>({0.09003057f, 0.24472847f, 0.66524096f}), 1e-5);
    const auto z = forward<Softmax>(std::vector<float>{}, tensor<In>({-1000, -1000, -1e30f}));
    check_close(z, tensor<In>({0.5f, 0.5f, 0}), 1e-6);
}

BOOST_AUTO_TEST_SUITE_END()

// === losses ===================================================================================

BOOST_AUTO_TEST_CASE(mse_known_answer) {
    Tensor<Shape<4>, double> gradient;
    const double loss = MeanSquaredError::compute(tensor<Shape<4>, double>({0.5, 0.25, 0, 1}), 1, gradient);
    // ((0.5)^2 + (-0.75)^2 + 0 + 1) / 4, and d/dy = 2 (y - t) / 4
    BOOST_TEST(loss == (0.25 + 0.5625 + 1) / 4, tt::tolerance(1e-15));
    check_close(gradient, tensor<Shape<4>, double>({0.25, -0.375, 0, 0.5}), 1e-15);
}

BOOST_AUTO_TEST_CASE(cross_entropy_known_answer_and_huge_logits) {
    Tensor<Shape<2>, double> g2;
    BOOST_TEST(SoftmaxCrossEntropy::compute(tensor<Shape<2>, double>({3, 3}), 1, g2) == std::log(2.0), tt::tolerance(1e-15));
    check_close(g2, tensor<Shape<2>, double>({0.5, -0.5}), 1e-15);

    Tensor<Shape<3>, float> g3;
    const float loss = SoftmaxCrossEntropy::compute(tensor<Shape<3>>({1000, 1001, 1002}), 0, g3);
    BOOST_TEST(std::isfinite(loss));
    BOOST_TEST(loss == 2.40760596f, tt::tolerance(1e-6f));  // log(1 + e + e^2)
    check_close(g3, tensor<Shape<3>>({0.09003057f - 1, 0.24472847f, 0.66524096f}), 1e-5);
}

template <class Loss>
void check_loss_gradient(std::size_t label, std::uint64_t seed) {
    using S = Shape<10>;
    Random random(seed);
    Tensor<S, double> y, gradient, scratch;
    for (auto& v : y) v = random.uniform(-2, 2);
    Loss::compute(y, label, gradient);
    for (std::size_t i = 0; i < S::size; ++i) {
        const double saved = y[i];
        y[i] = saved + epsilon;
        const double up = Loss::compute(y, label, scratch);
        y[i] = saved - epsilon;
        const double down = Loss::compute(y, label, scratch);
        y[i] = saved;
        const double numeric = (up - down) / (2 * epsilon);
        BOOST_TEST(relative_error(gradient[i], numeric) < max_relative_error,
                   "d/dy[" << i << "]: analytic " << gradient[i] << ", numeric " << numeric);
    }
}

BOOST_AUTO_TEST_CASE(mse_gradient) { check_loss_gradient<MeanSquaredError>(3, 21); }
BOOST_AUTO_TEST_CASE(cross_entropy_gradient) {
    check_loss_gradient<SoftmaxCrossEntropy>(0, 22);
    check_loss_gradient<SoftmaxCrossEntropy>(7, 23);
}

// === gradient checks of every layer kind, in double ============================================

BOOST_AUTO_TEST_SUITE(gradients)

BOOST_AUTO_TEST_CASE(conv2d_stride_2_padding_1) { check_layer_gradients<Conv2D<3, Kernel<3>, Stride<2>, Pad<1>>, Shape<2, 7, 7>>(101); }
BOOST_AUTO_TEST_CASE(conv2d_stride_2_floor_drops_last_row) { check_layer_gradients<Conv2D<2, Kernel<3>, Stride<2>>, Shape<2, 8, 8>>(102); }
BOOST_AUTO_TEST_CASE(conv2d_non_square) {
    check_layer_gradients<Conv2D<2, Kernel<2, 3>, Stride<1, 2>, Pad<1, 0>>, Shape<3, 5, 6>>(103);
}
BOOST_AUTO_TEST_CASE(conv2d_same) { check_layer_gradients<Conv2D<2, Kernel<5, 3>, Pad<same>>, Shape<2, 6, 5>>(104); }
BOOST_AUTO_TEST_CASE(max_pool) { check_layer_gradients<MaxPool<2>, Shape<2, 6, 6>>(105); }
BOOST_AUTO_TEST_CASE(max_pool_overlapping) { check_layer_gradients<MaxPool<3, 2>, Shape<2, 7, 7>>(106); }
BOOST_AUTO_TEST_CASE(avg_pool) { check_layer_gradients<AvgPool<2>, Shape<2, 6, 6>>(107); }
BOOST_AUTO_TEST_CASE(avg_pool_overlapping) { check_layer_gradients<AvgPool<3, 2>, Shape<2, 7, 7>>(108); }
BOOST_AUTO_TEST_CASE(dense) { check_layer_gradients<Dense<5>, Shape<21>>(109); }
BOOST_AUTO_TEST_CASE(flatten) { check_layer_gradients<Flatten, Shape<2, 3, 4>>(110); }
BOOST_AUTO_TEST_CASE(leaky_relu) {
    check_layer_gradients<LeakyReLU<std::ratio<1, 10>>, Shape<2, 3, 4>>(111);
    check_layer_gradients<LeakyReLU<>, Shape<24>>(112);
}
BOOST_AUTO_TEST_CASE(relu) { check_layer_gradients<ReLU, Shape<2, 3, 4>>(113); }
BOOST_AUTO_TEST_CASE(sigmoid) { check_layer_gradients<Sigmoid, Shape<2, 3, 4>>(114, -4, 4); }
BOOST_AUTO_TEST_CASE(tanh) { check_layer_gradients<Tanh, Shape<2, 3, 4>>(115, -3, 3); }
BOOST_AUTO_TEST_CASE(softmax) { check_layer_gradients<Softmax, Shape<10>>(116, -3, 3); }

BOOST_AUTO_TEST_SUITE_END()
