// ExponentialDecay: the learning rate multiplied by `rate` every `steps` updates, smoothly.
#pragma once

#include <cmath>
#include <cstddef>

namespace typenet {

/// lr(t) = lr * rate^(t / steps) for update t (from 0); rate 1 keeps the rate constant.
/// `steps = 0` also keeps it constant: a decay "every 0 updates" has no sensible rate, and this
/// aggregate cannot reject it (the core reports nothing at run time: no exceptions, no I/O), so
/// it gets the one result that cannot harm training instead of a division by zero.
struct ExponentialDecay {
    double rate = 1.0;
    std::size_t steps = 1;

    double operator()(double learning_rate, std::size_t step) const {
        if (rate == 1.0 || steps == 0) return learning_rate;
        return learning_rate * std::pow(rate, double(step) / double(steps));
    }
};

}  // namespace typenet
