// Weight initialisation (He, Xavier, small uniform) from a seeded, platform-independent generator.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

#include <typenet/random.hpp>

namespace typenet {

/// How weights are drawn; biases always start at zero. fan_in/fan_out count a layer's
/// inputs/outputs per weight (for Conv2D, channels x kernel area and filters x kernel area).
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

}  // namespace detail

/// Draws every layer's weights with `scheme` and zeroes the biases. Same seed, same weights.
template <class Net>
void initialize(Net& net, Init scheme, std::uint64_t seed) {
    Random random(seed);
    net.parameters().fill(typename Net::scalar_type{});
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((detail::fill_weights(net.parameters().data() + Net::parameter_offsets[I],
                               Net::template layer_impl<I>::weight_count, Net::template layer_impl<I>::fan_in,
                               Net::template layer_impl<I>::fan_out, scheme, random)),
         ...);
    }(std::make_index_sequence<Net::layer_count>{});
}

}  // namespace typenet
