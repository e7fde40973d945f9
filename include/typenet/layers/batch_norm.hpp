// BatchNorm: normalises each channel (or feature) by batch statistics in training, running ones in evaluation.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include <typenet/detail/kernels.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// How far each training batch moves BatchNorm's running statistics: `Momentum<1, 10>` (PyTorch's).
template <std::intmax_t Num, std::intmax_t Den = 1>
struct Momentum {
    static_assert(Den > 0 && Num >= 0 && Num <= Den, "typenet: Momentum<Num, Den> must lie in [0, 1]");
    static constexpr std::intmax_t num = Num, den = Den;
};
/// What BatchNorm adds to a variance before its square root: `Epsilon<1, 100000>` (PyTorch's).
template <std::intmax_t Num, std::intmax_t Den = 1>
struct Epsilon {
    static_assert(Den > 0 && Num > 0, "typenet: Epsilon<Num, Den> must be positive");
    static constexpr std::intmax_t num = Num, den = Den;
};

namespace detail {

template <class T> struct momentum_trait : std::false_type {};
template <std::intmax_t N, std::intmax_t D> struct momentum_trait<Momentum<N, D>> : std::true_type {};
template <class T> struct epsilon_trait : std::false_type {};
template <std::intmax_t N, std::intmax_t D> struct epsilon_trait<Epsilon<N, D>> : std::true_type {};

/// sqrt that also runs in constant evaluation (RomInference), where std::sqrt may not.
template <class T>
constexpr T square_root(T value) {
    if (!std::is_constant_evaluated()) return std::sqrt(value);
    if (!(value > T{0})) return value == T{0} ? T{0} : value - value;  // 0, or NaN for < 0 and NaN
    double r = double(value) > 1 ? double(value) : 1.0;
    for (int i = 0; i < 200; ++i) {
        const double next = 0.5 * (r + double(value) / r);
        if (next >= r) break;
        r = next;
    }
    return T(r);
}

}  // namespace detail

/// Per channel after Conv2D (statistics over the batch and every position), per feature after
/// Dense (over the batch): y = (x - mean) / sqrt(var + eps) * weight + bias. Training uses the
/// batch's mean and (biased) variance and moves the running ones toward them, the variance
/// unbiased, as PyTorch does; evaluation and inference use the running ones, and calibration
/// (`Trainer::recalibrate`) makes them the mean of its batches' statistics. Parameters, as
/// PyTorch names them: "weight" (starts at 1), "bias", and the state "running_mean" and
/// "running_var" (saved, never touched by an optimizer, no weight decay on any of them).
template <class... Options>
struct BatchNormalization {
    static_assert(((detail::momentum_trait<Options>::value || detail::epsilon_trait<Options>::value) && ...),
                  "typenet: BatchNormalization<...> takes only Momentum<> and Epsilon<> options");
    using momentum = typename detail::find_option<detail::momentum_trait, Momentum<1, 10>, Options...>::type;
    using epsilon = typename detail::find_option<detail::epsilon_trait, Epsilon<1, 100000>, Options...>::type;

    static constexpr std::string_view kind = "BatchNorm";
    static constexpr std::array<LayerSetting, 4> settings{{{"momentum_num", momentum::num},
                                                           {"momentum_den", momentum::den},
                                                           {"epsilon_num", epsilon::num},
                                                           {"epsilon_den", epsilon::den}}};

    static constexpr LayerResult propagate(ShapeValue in) {
        if (in.rank != 1 && in.rank != 3) return reject(Problem::unsupported_input);
        if (in.size() == 0) return reject(Problem::zero_size);
        return accept(in);
    }

    template <class In, class T>
    struct bound {
        static constexpr std::size_t C = In::dims[0], area = In::size / C;
        using input_shape = In;
        using output_shape = In;
        using parameters = ParameterList<ParameterTensor<"weight", Shape<C>, InitRule::ones, Role::trained, WeightDecay::exempt>,
                                         ParameterTensor<"bias", Shape<C>, InitRule::zeros, Role::trained, WeightDecay::exempt>,
                                         ParameterTensor<"running_mean", Shape<C>, InitRule::zeros, Role::state>,
                                         ParameterTensor<"running_var", Shape<C>, InitRule::ones, Role::state>>;
        static constexpr std::size_t bias = C, running_mean = 2 * C, running_var = 3 * C;
        static constexpr T eps = T(epsilon::num) / T(epsilon::den);
        static constexpr T m = T(momentum::num) / T(momentum::den);

        /// Evaluation mode, one sample: what inference runs.
        static constexpr void forward(const T* p, TensorView<In, const T> x, TensorView<In, T> y) {
            for (std::size_t c = 0; c < C; ++c) {
                const T scale = p[c] / detail::square_root(p[running_var + c] + eps);
                for (std::size_t i = c * area; i < (c + 1) * area; ++i) y[i] = (x[i] - p[running_mean + c]) * scale + p[bias + c];
            }
        }

        template <std::size_t B>
        static constexpr void forward_batch(const PassContext& context, T* p, BatchView<In, B, const T> x,
                                            BatchView<In, B, T> y, T*) {
            const std::size_t n = samples_in<B>(context);
            if (n == 0) return;  // no statistics to take, and nothing to move the running ones by
            if (context.mode == Mode::evaluation || context.mode == Mode::inference) {
                detail::share_out(context, n, [&](std::size_t first, std::size_t last) {
                    for (std::size_t b = first; b < last; ++b) forward(p, x[b], y[b]);
                });
                return;
            }
            const T count = T(n * area);
            // Calibration weighs each pass by its samples, so the running statistics become the
            // mean over all of them; training moves them by the momentum.
            const T weight = context.mode == Mode::calibration ? T(n) / T(context.calibrated + n) : m;
            detail::share_out(context, C, [&](std::size_t first, std::size_t last) {  // channels are independent
                for (std::size_t c = first; c < last; ++c) {
                    const Moments s = moments(x, n, c);
                    const T scale = p[c] / detail::square_root(s.variance + eps);
                    for (std::size_t b = 0; b < n; ++b)
                        for (std::size_t i = c * area; i < (c + 1) * area; ++i) y[b][i] = (x[b][i] - s.mean) * scale + p[bias + c];
                    const T unbiased = count > 1 ? s.variance * count / (count - 1) : s.variance;
                    p[running_mean + c] = (1 - weight) * p[running_mean + c] + weight * s.mean;
                    p[running_var + c] = (1 - weight) * p[running_var + c] + weight * unbiased;
                }
            });
        }

        /// Through the statistics in training (they depend on every sample), through the running
        /// ones, which are constants, in evaluation. The state tensors get no gradient.
        template <bool InputGradient, std::size_t B>
        static constexpr void backward_batch(const PassContext& context, const T* p, T* grads,
                                             BatchView<In, B, const T> x, BatchView<In, B, const T>,
                                             BatchView<In, B, const T> dy, BatchView<In, B, T> dx, T*) {
            const std::size_t n = samples_in<B>(context);
            if (n == 0) return;
            const bool training = context.mode == Mode::training;
            const T count = T(n * area);
            detail::share_out(context, C, [&](std::size_t first, std::size_t last) {
                for (std::size_t c = first; c < last; ++c) channel_backward<InputGradient>(p, grads, x, dy, dx, n, c, training, count);
            });
        }

    private:
        template <bool InputGradient, std::size_t B>
        static constexpr void channel_backward(const T* p, T* grads, BatchView<In, B, const T> x, BatchView<In, B, const T> dy,
                                               BatchView<In, B, T> dx, std::size_t n, std::size_t c, bool training, T count) {
            const Moments s = training ? moments(x, n, c) : Moments{p[running_mean + c], p[running_var + c]};
            const T inverse = T{1} / detail::square_root(s.variance + eps);
            T sum_lanes[detail::reduction_lanes]{}, product_lanes[detail::reduction_lanes]{};
            for (std::size_t b = 0; b < n; ++b) {
                const T* xs = x[b].data() + c * area;
                const T* dys = dy[b].data() + c * area;
                detail::add_to_lanes<area>(sum_lanes, [&](std::size_t i) { return dys[i]; });
                detail::add_to_lanes<area>(product_lanes, [&](std::size_t i) { return dys[i] * ((xs[i] - s.mean) * inverse); });
            }
            const T dy_sum = detail::fold_lanes(sum_lanes), dy_xhat = detail::fold_lanes(product_lanes);
            grads[c] += dy_xhat;
            grads[bias + c] += dy_sum;
            if constexpr (InputGradient) {
                const T scale = p[c] * inverse;
                for (std::size_t b = 0; b < n; ++b)
                    for (std::size_t i = c * area; i < (c + 1) * area; ++i) {
                        const T xhat = (x[b][i] - s.mean) * inverse;
                        dx[b][i] = training ? scale * (dy[b][i] - (dy_sum + xhat * dy_xhat) / count) : scale * dy[b][i];
                    }
            }
        }

        struct Moments {
            T mean, variance;
        };
        /// Mean and biased variance of channel c over the first n samples, in two passes, each
        /// summed in lanes so that it vectorises.
        template <std::size_t B>
        static constexpr Moments moments(BatchView<In, B, const T> x, std::size_t n, std::size_t c) {
            T lanes[detail::reduction_lanes]{};
            for (std::size_t b = 0; b < n; ++b) {
                const T* xs = x[b].data() + c * area;
                detail::add_to_lanes<area>(lanes, [&](std::size_t i) { return xs[i]; });
            }
            const T mean = detail::fold_lanes(lanes) / T(n * area);
            T square_lanes[detail::reduction_lanes]{};
            for (std::size_t b = 0; b < n; ++b) {
                const T* xs = x[b].data() + c * area;
                detail::add_to_lanes<area>(square_lanes, [&](std::size_t i) { return (xs[i] - mean) * (xs[i] - mean); });
            }
            return {mean, detail::fold_lanes(square_lanes) / T(n * area)};
        }
    };
};

/// BatchNorm with PyTorch's momentum 0.1 and epsilon 1e-5.
using BatchNorm = BatchNormalization<>;

}  // namespace typenet
