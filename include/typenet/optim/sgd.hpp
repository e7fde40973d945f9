// SGD: stochastic gradient descent with optional momentum.
#pragma once

#include <cstddef>
#include <string_view>

namespace typenet {

/// w -= lr * v, with v = momentum * v + g (PyTorch's formulation); with momentum 0, w -= lr * g.
/// g already holds `weight_decay * w` (L2), added by the group. An UpdateRule.
struct SGD {
    static constexpr std::string_view name = "SGD";
    /// Per parameter: the velocity (left untouched when momentum is 0).
    static constexpr std::size_t state_tensors = 1;

    double learning_rate = 0.01;
    double momentum = 0.0;
    double weight_decay = 0.0;

    template <class T>
    constexpr auto update(double rate, std::size_t) const {
        return [rate = T(rate), momentum = T(momentum)](T& w, T g, T& velocity) {
            if (momentum == T{}) {
                w -= rate * g;
            } else {
                velocity = momentum * velocity + g;
                w -= rate * velocity;
            }
        };
    }
};

}  // namespace typenet
