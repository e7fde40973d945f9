// Loss: what the trainer needs from a loss such as MeanSquaredError or SoftmaxCrossEntropy.
#pragma once

#include <concepts>
#include <cstddef>

namespace typenet {

/// A loss on network outputs of type `Output` (a Tensor): `L::compute(output, label, gradient)`
/// returns the loss of `output` for class `label` and writes d loss / d output into `gradient`.
/// Examples: MeanSquaredError, SoftmaxCrossEntropy.
template <class L, class Output>
concept Loss = requires(const Output& output, std::size_t label, Output& gradient) {
    { L::compute(output, label, gradient) } -> std::convertible_to<double>;
};

}  // namespace typenet
