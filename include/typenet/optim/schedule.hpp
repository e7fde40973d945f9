// Schedule: the learning rate of each update, as a parameter of an optimizer group.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>

namespace typenet {

/// The learning rate of update `step` (from 0) from a rule's base rate:
/// `schedule.learning_rate(base, step)`. Given to a group beside its rule:
/// `for_layers<"Dense">(Adam{.learning_rate = 1e-3}, CosineDecay{.steps = 10000})`.
/// A schedule's settings cannot be rejected at run time (the core reports nothing: no
/// exceptions, no I/O), so a setting with no sensible meaning, such as a decay over 0 updates,
/// keeps the base rate: the one result that cannot harm training.
template <class S>
concept Schedule = std::copyable<S> && requires(const S& schedule, double base, std::size_t step) {
    { schedule.learning_rate(base, step) } -> std::convertible_to<double>;
};

/// The base rate at every update: the default.
struct Constant {
    constexpr double learning_rate(double base, std::size_t) const { return base; }
};

/// base * rate^(step / steps): multiplied by `rate` every `steps` updates, smoothly.
/// Rate 1, or steps 0, keeps the base rate.
struct ExponentialDecay {
    double rate = 1.0;
    std::size_t steps = 1;

    double learning_rate(double base, std::size_t step) const {
        if (rate == 1.0 || steps == 0) return base;
        return base * std::pow(rate, double(step) / double(steps));
    }
};

/// base * rate^floor(step / steps): multiplied by `rate` at once after every `steps` updates.
/// Rate 1, or steps 0, keeps the base rate.
struct StepDecay {
    double rate = 1.0;
    std::size_t steps = 1;

    double learning_rate(double base, std::size_t step) const {
        if (rate == 1.0 || steps == 0) return base;
        return base * std::pow(rate, double(step / steps));
    }
};

/// From the base rate down to `minimum` along half a cosine over `steps` updates, then `minimum`
/// (Loshchilov & Hutter's SGDR without restarts). Steps 0 keeps the base rate.
struct CosineDecay {
    std::size_t steps = 0;
    double minimum = 0.0;

    double learning_rate(double base, std::size_t step) const {
        if (steps == 0) return base;
        if (step >= steps) return minimum;
        return minimum + (base - minimum) * 0.5 * (1 + std::cos(std::numbers::pi * double(step) / double(steps)));
    }
};

}  // namespace typenet
