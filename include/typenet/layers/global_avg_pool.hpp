// GlobalAvgPool: the mean of each channel over height and width, a vector Dense can follow.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/layers/layer.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// Channels x height x width to one mean per channel: no Flatten needed before Dense, and the
/// network no longer depends on the exact input size.
struct GlobalAvgPool {
    static constexpr std::string_view kind = "GlobalAvgPool";
    static constexpr std::array<LayerSetting, 0> settings{};

    static constexpr LayerResult propagate(ShapeValue in) {
        if (in.rank != 3) return reject(Problem::needs_image_input);
        if (in.size() == 0) return reject(Problem::zero_size);
        return accept(make_shape(in.dims[0]));
    }

    template <class In, class T>
    struct bound : NoParameters {
        static constexpr std::size_t C = In::dims[0], area = In::dims[1] * In::dims[2];
        using input_shape = In;
        using output_shape = Shape<C>;

        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<output_shape, T> y) {
            for (std::size_t c = 0; c < C; ++c) {
                T sum{};
                for (std::size_t i = 0; i < area; ++i) sum += x[c * area + i];
                y[c] = sum / T(area);
            }
        }
        template <bool InputGradient>
        static constexpr void backward(const T*, T*, TensorView<In, const T>, TensorView<output_shape, const T>,
                                       TensorView<output_shape, const T> dy, TensorView<In, T> dx) {
            if constexpr (InputGradient)
                for (std::size_t c = 0; c < C; ++c)
                    for (std::size_t i = 0; i < area; ++i) dx[c * area + i] = dy[c] / T(area);
        }
    };
};

}  // namespace typenet
