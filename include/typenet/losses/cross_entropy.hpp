// SoftmaxCrossEntropy: softmax and negative log-likelihood fused, on raw scores (logits).
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include <typenet/losses/loss.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// A Loss: -log softmax(z)[label] for raw scores z; end the network with Dense (no Softmax layer).
/// Fusing gives the gradient softmax(z) - onehot, exact and cheap, and subtracting the
/// largest score first keeps exp from overflowing.
struct SoftmaxCrossEntropy {
    static constexpr std::string_view name = "softmax cross-entropy";

    template <class S, class T>
    static T compute(const Tensor<S, T>& logits, std::size_t label, Tensor<S, T>& gradient) {
        T largest = logits[0];
        for (std::size_t i = 1; i < S::size; ++i) largest = logits[i] > largest ? logits[i] : largest;
        T sum{};
        for (std::size_t i = 0; i < S::size; ++i) sum += (gradient[i] = std::exp(logits[i] - largest));
        const T log_sum = std::log(sum);
        for (std::size_t i = 0; i < S::size; ++i) gradient[i] /= sum;
        gradient[label] -= T{1};
        return log_sum - (logits[label] - largest);
    }
};

}  // namespace typenet
