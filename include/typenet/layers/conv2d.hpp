// Conv2D<Filters, Kernel<>, Stride<>, Pad<>>: 2-D convolution over channels x height x width.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/detail/gemm.hpp>
#include <typenet/detail/kernels.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// `Filters` output channels; options in any order, defaults Kernel<3>, Stride<1>, Pad<0>.
/// Parameters: "weight" [filter][channel][ky][kx] (PyTorch's order), then "bias", one per filter.
template <std::size_t Filters, class... Options>
struct Conv2D {
    using window = detail::window<Options...>;
    static constexpr std::string_view kind = "Conv2D";
    static constexpr std::size_t filters = Filters;
    static constexpr std::size_t kernel_h = window::kernel_h, kernel_w = window::kernel_w;
    static constexpr std::size_t stride_h = window::stride_h, stride_w = window::stride_w;
    static constexpr std::size_t pad_h = window::pad_h, pad_w = window::pad_w;
    static constexpr std::array<LayerSetting, 7> settings = [] {
        std::array<LayerSetting, 7> all{{{"filters", filters}}};
        std::copy(window::settings.begin(), window::settings.end(), all.begin() + 1);
        return all;
    }();

    static constexpr LayerResult propagate(ShapeValue in) {
        return Filters == 0 ? reject(Problem::zero_size) : window::output(in, Filters);
    }

    template <class In, class T>
    struct bound {
        static constexpr std::size_t C = In::dims[0], H = In::dims[1], W = In::dims[2];
        static constexpr std::size_t OH = detail::window_output(H, kernel_h, stride_h, pad_h);
        static constexpr std::size_t OW = detail::window_output(W, kernel_w, stride_w, pad_w);
        using input_shape = In;
        using output_shape = Shape<Filters, OH, OW>;
        using weight_shape = Shape<Filters, C, kernel_h, kernel_w>;
        using parameters =
            ParameterList<ParameterTensor<"weight", weight_shape, InitRule::fan_scaled, Role::trained, WeightDecay::applies>,
                          ParameterTensor<"bias", Shape<Filters>, InitRule::zeros, Role::trained, WeightDecay::exempt>>;

        static constexpr std::size_t weight_count = weight_shape::size;
        static constexpr std::size_t parameter_count = parameters::size;
        static constexpr std::size_t fan_in = parameters::tensors[0].fan_in;
        static constexpr std::size_t fan_out = parameters::tensors[0].fan_out;

        /// The column matrix has one row per (channel, ky, kx) tap, one column per output
        /// position. The network keeps it from forward to backward, so backward need not rebuild
        /// it. At stride 1 forward keeps copies of the (zero-padded) input shifted by each kernel
        /// column instead: tap (c, ky, kx)'s row is then copy (c, kx) from its row ky on, so the
        /// copies hold about KH times fewer values to write and read (LeNet-5's first layer:
        /// 4,480 instead of 19,600), the same values in the same sums.
        static constexpr std::size_t taps = C * kernel_h * kernel_w, positions = OH * OW;
        static constexpr std::size_t padded_h = H + 2 * pad_h, padded_w = W + 2 * pad_w;
        static constexpr bool shifted_columns = stride_h == 1 && stride_w == 1 && kernel_h > 1 && OH > 1;
        static constexpr std::size_t scratch_size = shifted_columns ? C * kernel_w * padded_h * OW : taps * positions;

        /// Where the column matrix's rows are in what forward leaves (detail::RowRuns).
        static constexpr const auto& column_rows() {
            if constexpr (shifted_columns)
                return detail::shifted_tap_runs<C, kernel_h, kernel_w, padded_h, OW>;
            else
                return detail::matrix_rows<taps, positions>;
        }

        /// Flat input index of output column 0 for tap (ky, kx) in row oy. It may wrap below zero
        /// (unsigned, well defined) when padding is on: tap_range keeps every index used in range.
        static constexpr std::size_t input_index(std::size_t c, std::size_t oy, std::size_t ky, std::size_t kx) {
            return (c * H + oy * stride_h + ky - pad_h) * W + kx - pad_w;
        }

        /// Walks every tap (channel, ky, kx) in weight order: `on_tap(tap)` first, then for each
        /// output row `on_run(tap, row_start, base, first, last)`, meaning positions row_start + ox
        /// read input base + ox * stride, for ox in [first, last): the part inside the image.
        template <class OnTap, class OnRun>
        static constexpr void walk_taps(OnTap on_tap, OnRun on_run) {
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t ky = 0; ky < kernel_h; ++ky) {
                    const auto rows = detail::tap_range(ky, H, OH, stride_h, pad_h);
                    for (std::size_t kx = 0; kx < kernel_w; ++kx) {
                        const auto cols = detail::tap_range(kx, W, OW, stride_w, pad_w);
                        const std::size_t tap = (c * kernel_h + ky) * kernel_w + kx;
                        on_tap(tap);
                        for (std::size_t oy = rows.first; oy < rows.last; ++oy)
                            on_run(tap, oy * OW, input_index(c, oy, ky, kx), cols.first, cols.last);
                    }
                }
        }

        // im2col: every output position becomes a column, so the convolution is a product of
        // the weight matrix [filter][tap] with the column matrix [tap][position], whose inner
        // loops run over all positions contiguously, whatever the stride and padding.
        static constexpr void forward(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y,
                                      T* columns) {
            if constexpr (shifted_columns) {
                shift_input(x, columns);
                detail::shifted_convolution<Filters, C, kernel_h, kernel_w, padded_h, OH, OW>(
                    params, params + parameters::offset("bias"), columns, y.data());
                return;
            }
            if constexpr (pad_h > 0 || pad_w > 0)
                for (std::size_t i = 0; i < scratch_size; ++i) columns[i] = T{};
            walk_taps([](std::size_t) {},
                      [&](std::size_t tap, std::size_t row_start, std::size_t base, std::size_t first, std::size_t last) {
                          T* column = columns + tap * positions + row_start;
                          for (std::size_t ox = first; ox < last; ++ox) column[ox] = x[base + ox * stride_w];
                      });
            detail::bias_product<Filters, positions, taps>(params, params + parameters::offset("bias"), columns, y.data());
        }

        /// Copy (c, kx), row y, column ox: the input at (c, y - pad_h, ox + kx - pad_w), 0 outside it.
        static constexpr void shift_input(TensorView<In, const T> x, T* shifted) {
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t kx = 0; kx < kernel_w; ++kx) {
                    const auto cols = detail::tap_range(kx, W, OW, 1, pad_w);
                    for (std::size_t y = 0; y < padded_h; ++y) {
                        T* row = shifted + ((c * kernel_w + kx) * padded_h + y) * OW;
                        const bool inside = y >= pad_h && y - pad_h < H;
                        const std::size_t first = inside ? cols.first : OW, last = inside ? cols.last : OW;
                        for (std::size_t ox = 0; ox < first; ++ox) row[ox] = T{};
                        for (std::size_t ox = first; ox < last; ++ox) row[ox] = x[(c * H + y - pad_h) * W + ox + kx - pad_w];
                        for (std::size_t ox = last; ox < OW; ++ox) row[ox] = T{};
                    }
                }
        }

        /// Inference needs no column matrix for backward: at stride 1 it reads the taps straight
        /// from a zero-padded copy of the input (small enough for L1), the same bits as forward.
        /// The copy and, unless rows fill vector tiles, the input's shifted copies
        /// (detail::direct_convolution) go in `columns`, when they fit.
        static constexpr std::size_t padded_size = pad_h > 0 || pad_w > 0 ? C * padded_h * padded_w : 0;
        static constexpr std::size_t shifted_size =
            detail::direct_rows<OW, T> ? 0 : detail::shifted_input_size<C, kernel_w, padded_h, OW>;
        static constexpr bool direct =
            stride_h == 1 && stride_w == 1 && detail::simd<T>::lanes > 1 && padded_size + shifted_size <= scratch_size;

        static constexpr void infer(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y, T* columns) {
            if constexpr (!direct) {
                forward(params, x, y, columns);
            } else {
                const T* in = x.data();
                if constexpr (padded_size > 0) {
                    for (std::size_t i = 0; i < padded_size; ++i) columns[i] = T{};
                    for (std::size_t c = 0; c < C; ++c)
                        for (std::size_t iy = 0; iy < H; ++iy)
                            for (std::size_t ix = 0; ix < W; ++ix)
                                columns[(c * padded_h + iy + pad_h) * padded_w + ix + pad_w] = x[(c * H + iy) * W + ix];
                    in = columns;
                }
                detail::direct_convolution<Filters, C, kernel_h, kernel_w, padded_h, padded_w, OH, OW>(
                    params, params + parameters::offset("bias"), in, y.data(), columns + padded_size);
            }
        }

        /// Accumulates parameter gradients into `grads`; overwrites `dx` when `InputGradient`.
        /// `columns` must hold what `forward` left there for this input.
        template <bool InputGradient>
        static constexpr void backward(const T* params, T* grads, TensorView<In, const T>,
                                       TensorView<output_shape, const T>, TensorView<output_shape, const T> dy,
                                       TensorView<In, T> dx, const T* columns) {
            T* dbias = grads + parameters::offset("bias");
            for (std::size_t f = 0; f < Filters; ++f) dbias[f] += detail::sum<positions>(dy.data() + f * positions);
            detail::accumulate_products<Filters, taps, positions, column_rows()>(dy.data(), columns, grads);
            if constexpr (InputGradient) {
                for (auto& v : dx) v = T{};
                // d columns = W^T dy, a tile of tap rows at a time, added back onto the input (col2im).
                T rows[gradient_rows][positions];
                std::size_t tile = 0;
                walk_taps(
                    [&](std::size_t tap) {
                        if (tap % gradient_rows != 0) return;
                        tile = tap;
                        if (tap + gradient_rows <= taps)
                            detail::transposed_product<gradient_rows, Filters, positions, taps>(params + tap, dy.data(), rows[0]);
                        else if constexpr (taps % gradient_rows != 0)
                            detail::transposed_product<taps % gradient_rows, Filters, positions, taps>(params + tap, dy.data(), rows[0]);
                    },
                    [&](std::size_t tap, std::size_t row_start, std::size_t base, std::size_t first, std::size_t last) {
                        const T* row = rows[tap - tile];
                        for (std::size_t ox = first; ox < last; ++ox) dx[base + ox * stride_w] += row[row_start + ox];
                    });
            }
        }

        /// Tap rows of the input gradient computed together: as many as the registers hold, and
        /// at most 16 KiB of them, so they stay in the L1 cache until added onto the input.
        static constexpr std::size_t gradient_rows =
            std::clamp<std::size_t>(16384 / sizeof(T) / positions, 1, detail::tile_rows<taps, 2>);
    };
};

}  // namespace typenet
