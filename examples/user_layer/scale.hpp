// Scale<K>: y = x * scale + shift per channel (or per feature), a layer written outside typenet.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/layers/layer.hpp>

/// K channels (images) or K features (vectors), each multiplied by its own trained scale, which
/// starts at 1, and shifted by its own trained shift, which starts at 0. Only the public layer
/// contract (typenet/layers/layer.hpp) is used.
template <std::size_t K>
struct Scale {
    static constexpr std::string_view kind = "Scale";
    static constexpr std::array<typenet::LayerSetting, 1> settings{{{"channels", K}}};

    static constexpr typenet::LayerResult propagate(typenet::ShapeValue in) {
        return in.dims[0] == K ? typenet::accept(in) : typenet::reject(typenet::Problem::unsupported_input);
    }

    template <class In, class T>
    struct bound {
        using input_shape = In;
        using output_shape = In;
        using parameters = typenet::ParameterList<
            typenet::ParameterTensor<"scale", typenet::Shape<K>, typenet::InitRule::ones, typenet::Role::trained,
                                     typenet::WeightDecay::exempt>,
            typenet::ParameterTensor<"shift", typenet::Shape<K>, typenet::InitRule::zeros, typenet::Role::trained,
                                     typenet::WeightDecay::exempt>>;
        static constexpr std::size_t area = In::size / K, shift = parameters::offset("shift");

        static constexpr void forward(const T* p, typenet::TensorView<In, const T> x, typenet::TensorView<In, T> y) {
            for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i] * p[i / area] + p[shift + i / area];
        }
        template <bool InputGradient>
        static constexpr void backward(const T* p, T* grads, typenet::TensorView<In, const T> x,
                                       typenet::TensorView<In, const T>, typenet::TensorView<In, const T> dy,
                                       typenet::TensorView<In, T> dx) {
            for (std::size_t i = 0; i < In::size; ++i) {
                grads[i / area] += dy[i] * x[i];
                grads[shift + i / area] += dy[i];
                if constexpr (InputGradient) dx[i] = dy[i] * p[i / area];
            }
        }
    };
};
