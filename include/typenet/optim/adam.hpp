// Adam: bias-corrected adaptive moments (Kingma & Ba), computed as PyTorch does.
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include <typenet/optim/schedule.hpp>

namespace typenet {

/// m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// w -= lr(t) / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + epsilon).
/// `weight_decay` adds weight_decay * w to g (L2, as torch.optim.Adam).
struct Adam {
    static constexpr std::string_view name = "Adam";
    /// Per parameter: first and second moment.
    static constexpr std::size_t state_tensors = 2;

    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weight_decay = 0.0;
    ExponentialDecay decay{};

    template <class T>
    struct constants {
        T step_size, beta1, beta2, inverse_sqrt_correction2, epsilon, weight_decay, gradient_scale;
    };
    template <class T>
    constants<T> prepare(std::size_t step, T gradient_scale) const {
        const double t = double(step + 1);
        const double correction1 = 1 - std::pow(beta1, t), correction2 = 1 - std::pow(beta2, t);
        return {T(decay(learning_rate, step) / correction1),
                T(beta1),
                T(beta2),
                T(1 / std::sqrt(correction2)),
                T(epsilon),
                T(weight_decay),
                gradient_scale};
    }

    // std::sqrt vectorises only with -fno-math-errno (errno is otherwise set on negative
    // input): the project's examples and benchmarks build with it.
    /// Updates `w` and resets the consumed gradient `g` to zero.
    template <std::size_t Count, class T>
    static void update(const constants<T>& c, T* w, T* g, T* const* state) {
        T* m = state[0];
        T* v = state[1];
        const T one_minus_beta1 = T{1} - c.beta1, one_minus_beta2 = T{1} - c.beta2;
        for (std::size_t i = 0; i < Count; ++i) {
            const T grad = g[i] * c.gradient_scale + c.weight_decay * w[i];
            m[i] = c.beta1 * m[i] + one_minus_beta1 * grad;
            v[i] = c.beta2 * v[i] + one_minus_beta2 * grad * grad;
            w[i] -= c.step_size * m[i] / (std::sqrt(v[i]) * c.inverse_sqrt_correction2 + c.epsilon);
            g[i] = T{};
        }
    }
};

}  // namespace typenet
