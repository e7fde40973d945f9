// MeanSquaredError: (1/N) sum (y - onehot)^2, the seed framework's loss for sigmoid outputs.
#pragma once

#include <cstddef>
#include <string_view>

#include <typenet/losses/loss.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// A Loss: the mean over the outputs of the squared difference to the one-hot target, as PyTorch's
/// MSELoss(reduction="mean"), so learning rates carry over.
struct MeanSquaredError {
    static constexpr std::string_view name = "mean squared error";

    /// Returns the loss and writes d loss / d output into `gradient`.
    template <class S, class T>
    static constexpr T compute(const Tensor<S, T>& output, std::size_t label, Tensor<S, T>& gradient) {
        constexpr T scale = T{2} / T(S::size);
        T loss{};
        for (std::size_t i = 0; i < S::size; ++i) {
            const T diff = output[i] - (i == label ? T{1} : T{});
            loss += diff * diff;
            gradient[i] = scale * diff;
        }
        return loss / T(S::size);
    }
};

}  // namespace typenet
