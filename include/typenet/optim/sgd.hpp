// SGD: stochastic gradient descent with optional momentum, weight decay and exponential decay.
#pragma once

#include <cstddef>
#include <string_view>

#include <typenet/optim/schedule.hpp>

namespace typenet {

/// w -= lr(t) * v, with v = momentum * v + (g + weight_decay * w) (PyTorch's formulation;
/// with momentum 0 this is plain SGD on g + weight_decay * w, i.e. L2 regularisation).
struct SGD {
    static constexpr std::string_view name = "SGD";
    /// Per parameter: the velocity (left untouched when momentum is 0).
    static constexpr std::size_t state_tensors = 1;

    double learning_rate = 0.01;
    double momentum = 0.0;
    double weight_decay = 0.0;
    ExponentialDecay decay{};

    template <class T>
    struct constants {
        T rate, momentum, weight_decay, gradient_scale;
    };
    /// `gradient_scale` turns a gradient summed over a batch into its mean.
    template <class T>
    constants<T> prepare(std::size_t step, T gradient_scale) const {
        return {T(decay(learning_rate, step)), T(momentum), T(weight_decay), gradient_scale};
    }

    /// Updates `w` and resets the consumed gradient `g` to zero.
    template <std::size_t Count, class T>
    static constexpr void update(const constants<T>& c, T* w, T* g, T* const* state) {
        T* velocity = state[0];
        if (c.momentum == T{}) {
            for (std::size_t i = 0; i < Count; ++i) {
                w[i] -= c.rate * (g[i] * c.gradient_scale + c.weight_decay * w[i]);
                g[i] = T{};
            }
        } else {
            for (std::size_t i = 0; i < Count; ++i) {
                velocity[i] = c.momentum * velocity[i] + g[i] * c.gradient_scale + c.weight_decay * w[i];
                w[i] -= c.rate * velocity[i];
                g[i] = T{};
            }
        }
    }
};

}  // namespace typenet
