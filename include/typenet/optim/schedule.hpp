// ExponentialDecay: the learning rate multiplied by `rate` every `steps` updates, smoothly.
#pragma once

#include <cmath>
#include <cstddef>

namespace typenet {

/// lr(t) = lr * rate^(t / steps) for update t (from 0); rate 1 keeps the rate constant.
struct ExponentialDecay {
    double rate = 1.0;
    std::size_t steps = 1;

    double operator()(double learning_rate, std::size_t step) const {
        return rate == 1.0 ? learning_rate : learning_rate * std::pow(rate, double(step) / double(steps));
    }
};

}  // namespace typenet
