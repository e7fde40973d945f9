// Running one batched layer (BatchNorm, Dropout) by hand, and finite-difference gradient checks of its batched pass (Boost.Test).
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <typenet/layers/layer.hpp>
#include <typenet/random.hpp>
#include <typenet/tensor.hpp>

#include "gradient_check.hpp"

namespace typenet_test {

/// A bound BatchedLayer L over a batch of B, with its own storage for inputs, outputs, their
/// gradients and the scratch the layer keeps from forward_batch to backward_batch, as a network
/// lays them out: sample b's values start at b * shape size.
template <class L, std::size_t B, class T>
struct BatchRunner {
    using In = typename L::input_shape;
    using Out = typename L::output_shape;
    static_assert(typenet::BatchedLayer<L, T>, "BatchRunner runs layers with forward_batch and backward_batch");

    std::vector<T> params = std::vector<T>(L::parameters::size);
    std::vector<T> grads = std::vector<T>(L::parameters::size);
    std::vector<T> x = std::vector<T>(B * In::size), y = std::vector<T>(B * Out::size);
    std::vector<T> dy = std::vector<T>(B * Out::size), dx = std::vector<T>(B * In::size);
    std::vector<T> scratch = std::vector<T>(B * typenet::scratch_size_of<L>);

    T* scratch_or_null() { return scratch.empty() ? nullptr : scratch.data(); }

    void forward(const typenet::PassContext& context) {
        L::template forward_batch<B>(context, params.data(), typenet::BatchView<In, B, const T>{x.data()},
                                     typenet::BatchView<Out, B, T>{y.data()}, scratch_or_null());
    }
    /// Adds to `grads`; overwrites `dx` when InputGradient. The last forward must have been for x.
    template <bool InputGradient = true>
    void backward(const typenet::PassContext& context) {
        L::template backward_batch<InputGradient, B>(
            context, params.data(), grads.data(), typenet::BatchView<In, B, const T>{x.data()},
            typenet::BatchView<Out, B, const T>{y.data()}, typenet::BatchView<Out, B, const T>{dy.data()},
            typenet::BatchView<In, B, T>{dx.data()}, scratch_or_null());
    }
};

/// Random parameters for a gradient check: tensors that start at one (scales, running variances)
/// stay positive, since a running variance below -eps has no square root; the rest in [-1, 1].
template <class L>
std::vector<double> random_parameters(typenet::Random& random) {
    std::vector<double> params(L::parameters::size);
    for (const typenet::ParameterInfo& tensor : L::parameters::tensors)
        for (std::size_t i = tensor.offset; i < tensor.offset + tensor.size; ++i)
            params[i] = tensor.init == typenet::InitRule::ones ? random.uniform(0.5, 1.5) : random.uniform(-1, 1);
    return params;
}

/// Central differences of loss = sum over the first `context.samples` samples of r_i * y_i,
/// against one backward_batch, w.r.t. every input value of those samples and every trained
/// parameter. In training mode that differentiates BatchNorm through its batch statistics, and
/// Dropout with the masks of `context.seed` (fixed by it, so the loss is smooth). Also checks
/// that state tensors get no gradient, that backward adds to the parameter gradients, and that
/// the parameters come back as they were after each pass (running statistics move in training).
template <class Layer, class In, std::size_t B>
void check_batch_layer_gradients(typenet::PassContext context, std::uint64_t seed) {
    using L = bound<Layer, In, double>;
    constexpr std::size_t out_size = L::output_shape::size;
    const std::size_t samples = typenet::samples_in<B>(context);
    typenet::Random random(seed);
    BatchRunner<L, B, double> run;
    run.params = random_parameters<L>(random);
    for (auto& v : run.x) v = uniform_away_from_zero(random, -1, 1);
    for (auto& v : run.dy) v = random.uniform(-1, 1);
    // The finite differences perturb `params`; each pass starts from it, since a training pass
    // moves the running statistics in run.params.
    std::vector<double> params = run.params;

    const auto loss = [&] {
        run.params = params;
        run.forward(context);
        double sum = 0;
        for (std::size_t i = 0; i < samples * out_size; ++i) sum += run.dy[i] * run.y[i];
        return sum;
    };
    const auto numeric = [&](double& value) {
        const double saved = value;
        value = saved + epsilon;
        const double up = loss();
        value = saved - epsilon;
        const double down = loss();
        value = saved;
        return (up - down) / (2 * epsilon);
    };

    loss();
    std::fill(run.dx.begin(), run.dx.end(), std::numeric_limits<double>::quiet_NaN());  // must be overwritten
    run.backward(context);
    const std::vector<double> dx = run.dx, grads = run.grads;

    std::size_t nonzero = 0, checked = 0;
    double worst = 0;
    const auto compare = [&](double analytic, double expected, const char* what, std::size_t i) {
        const double error = relative_error(analytic, expected);
        worst = std::max(worst, error);
        nonzero += std::abs(expected) > 1e-8 ? 1 : 0;
        ++checked;
        BOOST_TEST(error < max_relative_error, what << "[" << i << "]: analytic " << analytic << ", numeric " << expected);
    };
    for (std::size_t i = 0; i < samples * L::input_shape::size; ++i) compare(dx[i], numeric(run.x[i]), "d/dx", i);
    for (const typenet::ParameterInfo& tensor : L::parameters::tensors)
        for (std::size_t j = tensor.offset; j < tensor.offset + tensor.size; ++j) {
            if (tensor.role == typenet::Role::state)
                BOOST_TEST(grads[j] == 0.0, "state tensor " << tensor.name << " got a gradient");
            else
                compare(grads[j], numeric(params[j]), "d/dparam", j);
        }
    BOOST_TEST_MESSAGE(checked << " derivatives, worst relative error " << worst);
    BOOST_TEST(nonzero > checked / 3);  // guards against a vacuous pass (Dropout zeroes some)

    // A second backward after a fresh forward adds the same parameter gradients again.
    loss();
    run.backward(context);
    for (std::size_t j = 0; j < grads.size(); ++j)
        BOOST_TEST(std::abs(run.grads[j] - 2 * grads[j]) <= 1e-12 * std::abs(grads[j]), "param " << j);
}

}  // namespace typenet_test
