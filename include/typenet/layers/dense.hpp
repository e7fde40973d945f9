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
    };
};

}  // namespace typenet
