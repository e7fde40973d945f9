// Parameter initialisation, tensor by tensor by each one's InitRule, from a seeded, platform-independent generator.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <typenet/layers/layer.hpp>
#include <typenet/random.hpp>

namespace typenet {

/// How tensors with InitRule::fan_scaled (weights) are drawn; biases start at zero. fan_in and
/// fan_out are the tensor's (ParameterInfo): for Conv2D channels x kernel area and filters x kernel area.
enum class Init {
    he_uniform,      ///< U(-sqrt(6 / fan_in), +): for ReLU-like activations
    he_normal,       ///< N(0, 2 / fan_in)
    xavier_uniform,  ///< U(-sqrt(6 / (fan_in + fan_out)), +): for sigmoid and tanh
    xavier_normal,   ///< N(0, 2 / (fan_in + fan_out))
    small_uniform,   ///< U(-0.1, 0.1): the seed framework's initialisation
};

namespace detail {

template <class T>
void fill_weights(T* weights, std::size_t count, std::size_t fan_in, std::size_t fan_out, Init scheme,
                  Random& random) {
    const double in = double(fan_in), both = double(fan_in + fan_out);
    for (std::size_t i = 0; i < count; ++i) {
        double w = 0;
        switch (scheme) {
            case Init::he_uniform: w = random.uniform(-1, 1) * std::sqrt(6.0 / in); break;
            case Init::he_normal: w = random.normal() * std::sqrt(2.0 / in); break;
            case Init::xavier_uniform: w = random.uniform(-1, 1) * std::sqrt(6.0 / both); break;
            case Init::xavier_normal: w = random.normal() * std::sqrt(2.0 / both); break;
            case Init::small_uniform: w = random.uniform(-0.1, 0.1); break;
        }
        weights[i] = T(w);
    }
}

template <class T>
void fill_tensor(T* values, const ParameterInfo& tensor, Init scheme, Random& random) {
    switch (tensor.init) {
        case InitRule::fan_scaled: fill_weights(values, tensor.size, tensor.fan_in, tensor.fan_out, scheme, random); break;
        case InitRule::zeros: std::fill_n(values, tensor.size, T{0}); break;
        case InitRule::ones: std::fill_n(values, tensor.size, T{1}); break;
    }
}

}  // namespace detail

/// Fills every parameter tensor by its InitRule, in storage order: weights drawn with `scheme`,
/// biases zero, scales one (state tensors too: a running variance starts at one). Only the
/// fan_scaled tensors draw from the generator. Same seed, same parameters.
template <class Net>
void initialize(Net& net, Init scheme, std::uint64_t seed) {
    Random random(seed);
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        detail::fill_tensor(net.parameters().data() + tensor.offset, tensor, scheme, random);
}

}  // namespace typenet
