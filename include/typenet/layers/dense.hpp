// Dense<Units>: fully connected layer on a flat vector.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/detail/gemm.hpp>
#include <typenet/detail/kernels.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// `Units` outputs, each a weighted sum of all inputs plus a bias. Parameters: "weight"
/// [unit][input] (PyTorch's order), then "bias", one per unit. Needs a flat input: use Flatten.
template <std::size_t Units>
struct Dense {
    static constexpr std::string_view kind = "Dense";
    static constexpr std::size_t units = Units;
    static constexpr std::array<LayerSetting, 1> settings{{{"units", units}}};

    static constexpr detail::LayerResult propagate(detail::ShapeValue in) {
        using detail::Problem;
        if (in.rank != 1) return detail::reject(Problem::needs_flat_input);
        if (Units == 0) return detail::reject(Problem::zero_size);
        return detail::accept(detail::make_shape(Units));
    }

    template <class In, class T>
    struct bound {
        static constexpr std::size_t N = In::size;
        using input_shape = In;
        using output_shape = Shape<Units>;
        using parameters =
            ParameterList<ParameterTensor<"weight", Shape<Units, N>, InitRule::fan_scaled, Role::trained, WeightDecay::applies>,
                          ParameterTensor<"bias", Shape<Units>, InitRule::zeros, Role::trained, WeightDecay::exempt>>;
        static constexpr std::size_t weight_count = Units * N;
        static constexpr std::size_t parameter_count = parameters::size;
        static constexpr std::size_t fan_in = N, fan_out = Units;
        static constexpr bool batches_in_inference = true;

        static constexpr void forward(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y) {
            // bias[u] + dot<N>(weight row u, x), the same bits, but four rows at a time: one
            // row's two chains of sums leave the multipliers waiting on the adds (LeNet-5's
            // 400 x 120 layer: 3.3 us a row at a time, 2.1 us four at a time, 2.3 us six).
            const T* bias = params + parameters::offset("bias");
            for (std::size_t u = 0; u < Units; ++u) y[u] = bias[u];
            detail::for_each_row_tile<Units, 4>([&]<std::size_t Rows>(std::size_t u) {
                detail::dot_tile<Rows, 1, N, 1>(params + u * N, x.data(), y.data() + u);
            });
        }

        /// Per-sample backward, the reference for backward_batch: the same bits.
        template <bool InputGradient>
        static constexpr void backward(const T* params, T* grads, TensorView<In, const T> x,
                                       TensorView<output_shape, const T>, TensorView<output_shape, const T> dy,
                                       TensorView<In, T> dx) {
            T* dbias = grads + parameters::offset("bias");
            if constexpr (InputGradient)
                for (auto& v : dx) v = T{};
            for (std::size_t u = 0; u < Units; ++u) {
                const T g = dy[u];
                dbias[u] += g;
                detail::axpy<N>(g, x.data(), grads + u * N);
                if constexpr (InputGradient) detail::axpy<N>(g, params + u * N, dx.data());
            }
        }

        // Training passes the whole batch through the weights together: a sample at a time
        // reads the whole matrix (LeNet-5's 400 x 120: 188 KiB, from L2) once forward and twice
        // backward, and adds every sample's gradient into it. Each value is computed with the
        // same operations in the same order as forward and backward do sample by sample, so the
        // bits are the same, on any number of threads.

        /// y[b] = forward(x[b]): dot products of three samples with two weight rows at a time.
        template <std::size_t B>
        static constexpr void forward_batch(const PassContext& context, T* params, BatchView<In, B, const T> x,
                                            BatchView<output_shape, B, T> y, T*) {
            if constexpr (B == 1) {  // four weight rows at a time, as in inference, is faster alone
                if (samples_in<B>(context) == 1) forward(params, x[0], y[0]);
                return;
            }
            const T* bias = params + parameters::offset("bias");
            detail::share_out(context, samples_in<B>(context), [&](std::size_t first, std::size_t last) {
                for (std::size_t b = first; b < last; ++b)
                    for (std::size_t u = 0; u < Units; ++u) y[b][u] = bias[u];
                detail::for_each_row_tile<3>(first, last, [&]<std::size_t Samples>(std::size_t b) {
                    detail::accumulate_dots<Samples, Units, N>(x[b].data(), params, y[b].data());
                });
            });
        }

        /// The weight gradient as one product of the output gradients and the inputs over the
        /// batch, added in sample order (threads share the units); the input gradient as a
        /// product of the output gradients and the weights (threads share the samples).
        template <bool InputGradient, std::size_t B>
        static constexpr void backward_batch(const PassContext& context, const T* params, T* grads,
                                             BatchView<In, B, const T> x, BatchView<output_shape, B, const T> y,
                                             BatchView<output_shape, B, const T> dy, BatchView<In, B, T> dx, T*) {
            const std::size_t n = samples_in<B>(context);
            if constexpr (B == 1) {  // nothing to share the weights with
                if (n == 1) backward<InputGradient>(params, grads, x[0], y[0], dy[0], dx[0]);
                return;
            }
            T* dbias = grads + parameters::offset("bias");
            for (std::size_t b = 0; b < n; ++b)
                for (std::size_t u = 0; u < Units; ++u) dbias[u] += dy[b][u];
            detail::share_out(context, Units, [&](std::size_t first, std::size_t last) {
                detail::for_each_row_tile<gradient_rows>(first, last, [&]<std::size_t Rows>(std::size_t u) {
                    if (n == B)
                        add_weight_gradient<Rows, B>(dy.data() + u, x.data(), grads + u * N);
                    else
                        for (std::size_t b = 0; b < n; ++b)
                            add_weight_gradient<Rows, 1>(dy[b].data() + u, x[b].data(), grads + u * N);
                });
            });
            if constexpr (InputGradient)
                detail::share_out(context, n, [&](std::size_t first, std::size_t last) {
                    detail::for_each_row_tile<gradient_rows>(first, last, [&]<std::size_t Samples>(std::size_t b) {
                        detail::for_each_column_tile<N, T>([&]<std::size_t Width>(std::size_t i) {
                            T sums[Samples][Width]{};
                            detail::multiply_add_tile<Samples, Width, Units, Units, N>(dy[b].data(), params + i, sums);
                            for (std::size_t s = 0; s < Samples; ++s)
                                for (std::size_t v = 0; v < Width; ++v) dx[b + s][i + v] = sums[s][v];
                        });
                    });
                });
        }

    private:
        /// Rows of a gradient tile: as many as the registers hold with two vectors each.
        static constexpr std::size_t gradient_rows = detail::tile_vectors / 2;

        /// dw[r][i] += dy[b][r] * x[b][i] for `Samples` samples in order, r < Rows, i < N; the
        /// tiles do not overlap, as they add.
        template <std::size_t Rows, std::size_t Samples>
        static constexpr void add_weight_gradient(const T* dy, const T* x, T* dw) {
            constexpr std::size_t width = detail::tile_width, body = N / width * width;
            for (std::size_t i = 0; i < body; i += width)
                detail::transposed_product_tile<true, Rows, width, Samples, Units, N, N>(dy, x + i, dw + i);
            if constexpr (body < N) detail::transposed_product_tile<true, Rows, N - body, Samples, Units, N, N>(dy, x + body, dw + body);
        }
    };
};

}  // namespace typenet
