// Finite-difference gradient check of a whole network's batched pass, in training or evaluation mode (Boost.Test).
#pragma once

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <typenet/init.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/random.hpp>

#include "gradient_check.hpp"

namespace typenet_test {

/// Inputs drawn from U(-1, 1), for every sample of the batch.
template <class Net, std::size_t B>
void fill_inputs(typename Net::template Batch<B>& batch, std::uint64_t seed) {
    typenet::Random random(seed);
    for (auto& v : batch.inputs) v = typename Net::scalar_type(random.uniform(-1, 1));
}

/// Parameters initialised, then every trained value moved by U(-0.3, 0.3): biases off zero and
/// BatchNorm's scales off one, so that every path and every term of the gradient is exercised.
template <class Net>
void randomize(Net& net, std::uint64_t seed) {
    typenet::initialize(net, typenet::Init::xavier_uniform, seed);
    typenet::Random random(seed + 1);
    for (const typenet::ParameterInfo& tensor : Net::parameter_tensors)
        if (tensor.role == typenet::Role::trained)
            for (std::size_t i = 0; i < tensor.size; ++i) net.parameters()[tensor.offset + i] += random.uniform(-0.3, 0.3);
}

/// Sum over the batch of Loss(output b, label b): what one batched backward differentiates.
/// Writes each sample's output gradient into the batch.
template <class Loss, std::size_t B, class Net>
double batch_loss(Net& net, typename Net::template Batch<B>& batch, const std::array<std::size_t, B>& labels,
                  typenet::Mode mode, std::uint64_t seed) {
    net.forward(batch, mode, seed);
    double sum = 0;
    typename Net::output_tensor output, gradient;
    constexpr std::size_t n = Net::output_shape_type::size;
    for (std::size_t b = 0; b < B; ++b) {
        std::copy_n(batch.outputs.data() + b * n, n, output.data());
        sum += Loss::compute(output, labels[b], gradient);
        std::copy_n(gradient.data(), n, batch.output_gradients.data() + b * n);
    }
    return sum;
}

/// Central differences of batch_loss w.r.t. every parameter, against one batched backward pass;
/// BatchNorm in training mode is differentiated through its batch statistics, Dropout with the
/// masks of `seed`. State tensors (running statistics) must get no gradient.
template <class Loss, std::size_t B, class Net>
void check_batch_gradients(Net& net, typename Net::template Batch<B>& batch, const std::array<std::size_t, B>& labels,
                           typenet::Mode mode, std::uint64_t seed = 7) {
    static_assert(std::is_same_v<typename Net::scalar_type, double>);
    const auto saved_parameters = net.parameters();
    net.zero_gradients();
    batch_loss<Loss, B>(net, batch, labels, mode, seed);
    net.backward(batch);
    const std::vector<double> analytic(net.gradients().begin(), net.gradients().end());

    std::size_t nonzero = 0, trained = 0;
    double worst = 0;
    for (const typenet::ParameterInfo& tensor : Net::parameter_tensors) {
        for (std::size_t i = tensor.offset; i < tensor.offset + tensor.size; ++i) {
            if (tensor.role == typenet::Role::state) {
                BOOST_TEST(analytic[i] == 0.0, "state tensor " << tensor.name << " got a gradient");
                continue;
            }
            net.parameters() = saved_parameters;  // running statistics move with every training pass
            double& p = net.parameters()[i];
            const double saved = p;
            p = saved + epsilon;
            const double up = batch_loss<Loss, B>(net, batch, labels, mode, seed);
            p = saved - epsilon;
            const double down = batch_loss<Loss, B>(net, batch, labels, mode, seed);
            p = saved;
            const double numeric = (up - down) / (2 * epsilon);
            const double error = relative_error(analytic[i], numeric);
            worst = std::max(worst, error);
            nonzero += std::abs(numeric) > 1e-8 ? 1 : 0;
            ++trained;
            BOOST_TEST(error < max_relative_error, "parameter " << i << " (" << tensor.kind << " " << tensor.name
                                                                << "): analytic " << analytic[i] << ", numeric "
                                                                << numeric);
        }
    }
    net.parameters() = saved_parameters;
    BOOST_TEST_MESSAGE(trained << " parameters, worst relative error " << worst);
    BOOST_TEST(nonzero > trained / 2);  // guards against a vacuous pass
}

}  // namespace typenet_test
