// Flatten: any shape to a vector of the same size, for the step from convolutions to Dense.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// Reinterprets channels x height x width as one vector, in the same (row-major) order.
struct Flatten {
    static constexpr std::string_view kind = "Flatten";
    static constexpr std::array<LayerSetting, 0> settings{};

    static constexpr detail::LayerResult propagate(detail::ShapeValue in) {
        return detail::accept(detail::make_shape(in.size()));
    }

    template <class In, class T>
    struct bound : NoParameters {
        using input_shape = In;
        using output_shape = Shape<In::size>;

        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<output_shape, T> y) {
            for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
        }
        template <bool InputGradient>
        static constexpr void backward(const T*, T*, TensorView<In, const T>, TensorView<output_shape, const T>,
                                       TensorView<output_shape, const T> dy, TensorView<In, T> dx) {
            if constexpr (InputGradient)
                for (std::size_t i = 0; i < In::size; ++i) dx[i] = dy[i];
        }
    };
};

}  // namespace typenet
