// Finite-difference gradient checks in double for one bound layer or a whole network (Boost.Test).
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <typenet/layers/layer.hpp>
#include <typenet/random.hpp>
#include <typenet/tensor.hpp>

namespace typenet_test {

using typenet::Random;
using typenet::Tensor;

/// Layer bound to an input shape, as a network binds it.
template <class Layer, class In, class T>
using bound = typename Layer::template bound<In, T>;

/// Runs bound layer L forward and backward as the network does, keeping the scratch memory
/// (Conv2D's column matrix) that a layer may ask for from forward to backward.
template <class L, class T>
struct Runner {
    using In = typename L::input_shape;
    using Out = typename L::output_shape;
    std::vector<T> scratch = std::vector<T>(typenet::scratch_size_of<L>);

    void forward(const T* params, const Tensor<In, T>& x, Tensor<Out, T>& y) {
        if constexpr (typenet::scratch_size_of<L> > 0)
            L::forward(params, x.view(), y.view(), scratch.data());
        else
            L::forward(params, x.view(), y.view());
    }
    /// The last forward must have been for this x.
    void backward(const T* params, T* grads, const Tensor<In, T>& x, const Tensor<Out, T>& y, const Tensor<Out, T>& dy,
                  Tensor<In, T>& dx) {
        if constexpr (typenet::scratch_size_of<L> > 0)
            L::template backward<true>(params, grads, x.view(), y.view(), dy.view(), dx.view(),
                                       std::as_const(scratch).data());
        else
            L::template backward<true>(params, grads, x.view(), y.view(), dy.view(), dx.view());
    }
};

// --- finite differences ---------------------------------------------------------------------

constexpr double epsilon = 1e-6;
constexpr double max_relative_error = 1e-6;

/// |analytic - numeric| relative to the larger magnitude, that magnitude taken as at least
/// `floor`: central differences carry rounding noise of about 1e-16 * |loss| / epsilon, up to
/// 1e-9 here, so a gradient that is exactly 0 (a ReLU below its kink, a max-pool loser, an input
/// outside every window) or tiny can only be matched that closely.
inline double relative_error(double analytic, double numeric) {
    constexpr double floor = 1e-2;
    return std::abs(analytic - numeric) / std::max({std::abs(analytic), std::abs(numeric), floor});
}

inline double uniform_away_from_zero(Random& random, double low, double high) {
    // Element-wise activations have a kink at 0 (ReLU, LeakyReLU): keep central differences off it.
    double v = 0;
    do v = random.uniform(low, high);
    while (std::abs(v) < 1e-3);
    return v;
}

/// Checks a layer's backward pass against central differences of the scalar
/// loss(x, params) = sum_i r_i * y_i, for fixed random r, w.r.t. every input and parameter.
/// Also checks that backward overwrites dx and adds (not assigns) parameter gradients.
template <class Layer, class In>
void check_layer_gradients(std::uint64_t seed, double low = -1, double high = 1) {
    using L = bound<Layer, In, double>;
    using Out = typename L::output_shape;
    Random random(seed);

    std::vector<double> params(L::parameters::size);
    for (auto& p : params) p = random.uniform(-1, 1);
    Tensor<In, double> x;
    for (auto& v : x) v = uniform_away_from_zero(random, low, high);
    Tensor<Out, double> r;
    for (auto& v : r) v = random.uniform(-1, 1);

    Runner<L, double> runner;
    const auto loss = [&] {
        Tensor<Out, double> y;
        runner.forward(params.data(), x, y);
        double sum = 0;
        for (std::size_t i = 0; i < Out::size; ++i) sum += r[i] * y[i];
        return sum;
    };

    Tensor<Out, double> y;
    runner.forward(params.data(), x, y);
    std::vector<double> grads(params.size(), 0.0);
    Tensor<In, double> dx;
    dx.fill(std::numeric_limits<double>::quiet_NaN());  // must be overwritten, not added to
    runner.backward(params.data(), grads.data(), x, y, r, dx);

    double worst = 0;
    for (std::size_t i = 0; i < In::size; ++i) {
        const double saved = x[i];
        x[i] = saved + epsilon;
        const double up = loss();
        x[i] = saved - epsilon;
        const double down = loss();
        x[i] = saved;
        const double numeric = (up - down) / (2 * epsilon);
        const double error = relative_error(dx[i], numeric);
        worst = std::max(worst, error);
        BOOST_TEST(error < max_relative_error,
                   "d/dx[" << i << "]: analytic " << dx[i] << ", numeric " << numeric);
    }
    for (std::size_t j = 0; j < params.size(); ++j) {
        const double saved = params[j];
        params[j] = saved + epsilon;
        const double up = loss();
        params[j] = saved - epsilon;
        const double down = loss();
        params[j] = saved;
        const double numeric = (up - down) / (2 * epsilon);
        const double error = relative_error(grads[j], numeric);
        worst = std::max(worst, error);
        BOOST_TEST(error < max_relative_error,
                   "d/dparam[" << j << "]: analytic " << grads[j] << ", numeric " << numeric);
    }
    BOOST_TEST_MESSAGE("worst relative error " << worst);

    // A second backward (after a fresh forward of the same x, since the finite differences ran
    // others) adds the same gradients again: twice the first. Exactly so for a layer that sums
    // a gradient before adding it; one that adds term by term (Scale) rounds differently.
    runner.forward(params.data(), x, y);
    std::vector<double> twice = grads;
    runner.backward(params.data(), twice.data(), x, y, r, dx);
    for (std::size_t j = 0; j < params.size(); ++j)
        BOOST_TEST(std::abs(twice[j] - 2 * grads[j]) <= 1e-12 * std::abs(grads[j]), "param " << j);
}

/// Central differences of loss(net.forward(x), label) w.r.t. each parameter in `which`, against
/// the gradients that one backward pass accumulates. Same epsilon and error measure as the layer
/// check above.
template <class Loss, class Net>
void check_network_gradients(Net& net, const typename Net::input_tensor& x, std::size_t label,
                             const std::vector<std::size_t>& which) {
    static_assert(std::is_same_v<typename Net::scalar_type, double>);
    typename Net::output_tensor gradient;
    const auto loss = [&] { return Loss::compute(net.forward(x), label, gradient); };

    net.zero_gradients();
    loss();
    net.backward(gradient);
    const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());

    std::size_t nonzero = 0;
    double worst = 0;
    for (std::size_t i : which) {
        double& p = net.parameters()[i];
        const double saved = p;
        p = saved + epsilon;
        const double up = loss();
        p = saved - epsilon;
        const double down = loss();
        p = saved;
        const double numeric = (up - down) / (2 * epsilon);
        const double error = relative_error(analytic[i], numeric);
        worst = std::max(worst, error);
        nonzero += std::abs(numeric) > 1e-8 ? 1 : 0;
        BOOST_TEST(error < max_relative_error,
                   "parameter " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    }
    BOOST_TEST_MESSAGE(which.size() << " parameters, worst relative error " << worst);
    // Guards against a vacuous pass where nothing reaches the loss (e.g. saturated units).
    BOOST_TEST(nonzero > which.size() / 2);
}

}  // namespace typenet_test
