// Adam: bias-corrected adaptive moments (Kingma & Ba), computed as PyTorch does.
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

namespace typenet {

/// m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
/// w -= lr(t) / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + epsilon).
/// g already holds `weight_decay * w` (L2, as torch.optim.Adam), added by the group. An UpdateRule.
struct Adam {
    static constexpr std::string_view name = "Adam";
    /// Per parameter: first and second moment.
    static constexpr std::size_t state_tensors = 2;

    double learning_rate = 0.001;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    double weight_decay = 0.0;

    // std::sqrt vectorises only with -fno-math-errno (errno is otherwise set on negative
    // input): the project's examples and benchmarks build with it.
    template <class T>
    auto update(double rate, std::size_t step) const {
        const double t = double(step + 1);
        const double correction1 = 1 - std::pow(beta1, t), correction2 = 1 - std::pow(beta2, t);
        return [step_size = T(rate / correction1), beta1 = T(beta1), beta2 = T(beta2),
                inverse_sqrt_correction2 = T(1 / std::sqrt(correction2)), epsilon = T(epsilon)](T& w, T g, T& m, T& v) {
            m = beta1 * m + (T{1} - beta1) * g;
            v = beta2 * v + (T{1} - beta2) * g * g;
            w -= step_size * m / (std::sqrt(v) * inverse_sqrt_correction2 + epsilon);
        };
    }
};

}  // namespace typenet
