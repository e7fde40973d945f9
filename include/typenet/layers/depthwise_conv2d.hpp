// DepthwiseConv2D<Kernel<>, Stride<>, Pad<>>: each channel convolved with its own kernel.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// One kernel per input channel, as PyTorch's `Conv2d(C, C, k, groups=C)`; followed by a 1x1
/// Conv2D it is a depthwise-separable convolution. Options in any order, defaults Kernel<3>,
/// Stride<1>, Pad<0>. Parameters: "weight" [channel][1][ky][kx] (PyTorch's), then "bias".
template <class... Options>
struct DepthwiseConv2D {
    using window = detail::window<Options...>;
    static constexpr std::string_view kind = "DepthwiseConv2D";
    static constexpr std::size_t kernel_h = window::kernel_h, kernel_w = window::kernel_w;
    static constexpr std::size_t stride_h = window::stride_h, stride_w = window::stride_w;
    static constexpr std::size_t pad_h = window::pad_h, pad_w = window::pad_w;
    static constexpr std::array<LayerSetting, 6> settings = window::settings;

    static constexpr LayerResult propagate(ShapeValue in) { return window::output(in, in.dims[0]); }

    template <class In, class T>
    struct bound {
        static constexpr std::size_t C = In::dims[0], H = In::dims[1], W = In::dims[2];
        static constexpr std::size_t OH = detail::window_output(H, kernel_h, stride_h, pad_h);
        static constexpr std::size_t OW = detail::window_output(W, kernel_w, stride_w, pad_w);
        static constexpr std::size_t taps = kernel_h * kernel_w;
        using input_shape = In;
        using output_shape = Shape<C, OH, OW>;
        using parameters =
            ParameterList<ParameterTensor<"weight", Shape<C, 1, kernel_h, kernel_w>, InitRule::fan_scaled, Role::trained,
                                          WeightDecay::applies>,
                          ParameterTensor<"bias", Shape<C>, InitRule::zeros, Role::trained, WeightDecay::exempt>>;

        /// Calls `tap(c, ky, kx, oy, ox, iy, ix)` for every output position and kernel tap that
        /// lands inside the image (the padding contributes nothing), in a fixed order.
        template <class Tap>
        static constexpr void for_each_tap(Tap tap) {
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t ky = 0; ky < kernel_h; ++ky) {
                    const auto rows = detail::tap_range(ky, H, OH, stride_h, pad_h);
                    for (std::size_t kx = 0; kx < kernel_w; ++kx) {
                        const auto cols = detail::tap_range(kx, W, OW, stride_w, pad_w);
                        for (std::size_t oy = rows.first; oy < rows.last; ++oy)
                            for (std::size_t ox = cols.first; ox < cols.last; ++ox)
                                tap(c, ky * kernel_w + kx, oy * OW + ox, (oy * stride_h + ky - pad_h) * W + ox * stride_w + kx - pad_w);
                    }
                }
        }

        static constexpr void forward(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y) {
            const T* bias = params + parameters::offset("bias");
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t p = 0; p < OH * OW; ++p) y[c * OH * OW + p] = bias[c];
            for_each_tap([&](std::size_t c, std::size_t tap, std::size_t out, std::size_t in) {
                y[c * OH * OW + out] += params[c * taps + tap] * x[c * H * W + in];
            });
        }

        template <bool InputGradient>
        static constexpr void backward(const T* params, T* grads, TensorView<In, const T> x,
                                       TensorView<output_shape, const T>, TensorView<output_shape, const T> dy,
                                       TensorView<In, T> dx) {
            T* dbias = grads + parameters::offset("bias");
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t p = 0; p < OH * OW; ++p) dbias[c] += dy[c * OH * OW + p];
            if constexpr (InputGradient)
                for (auto& v : dx) v = T{};
            for_each_tap([&](std::size_t c, std::size_t tap, std::size_t out, std::size_t in) {
                const T g = dy[c * OH * OW + out];
                grads[c * taps + tap] += g * x[c * H * W + in];
                if constexpr (InputGradient) dx[c * H * W + in] += g * params[c * taps + tap];
            });
        }
    };
};

}  // namespace typenet
