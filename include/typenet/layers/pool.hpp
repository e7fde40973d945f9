// MaxPool<Size, Stride> and AvgPool<Size, Stride>: per-channel pooling over square windows.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <typenet/detail/simd.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {
namespace detail {

struct max_reduce {
    static constexpr std::string_view kind = "MaxPool";
};
struct mean_reduce {
    static constexpr std::string_view kind = "AvgPool";
};

/// Windows of Size x Size moved by Step; output sizes follow the floor rule, like Conv2D's.
template <class Reduce, std::size_t Size, std::size_t Step>
struct Pool {
    static constexpr std::string_view kind = Reduce::kind;
    static constexpr std::size_t size = Size, step = Step;
    static constexpr std::array<LayerSetting, 2> settings{{{"size", size}, {"step", step}}};

    static constexpr LayerResult propagate(ShapeValue in) {
        if (in.rank != 3) return reject(Problem::needs_image_input);
        if (Size == 0 || Step == 0) return reject(Problem::zero_size);
        if (Size > in.dims[1] || Size > in.dims[2]) return reject(Problem::window_too_large);
        return accept(make_shape(in.dims[0], window_output(in.dims[1], Size, Step, 0),
                                 window_output(in.dims[2], Size, Step, 0)));
    }

    template <class In, class T>
    struct bound : NoParameters {
        static constexpr std::size_t C = In::dims[0], H = In::dims[1], W = In::dims[2];
        static constexpr std::size_t OH = window_output(H, Size, Step, 0), OW = window_output(W, Size, Step, 0);
        using input_shape = In;
        using output_shape = Shape<C, OH, OW>;

        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<output_shape, T> y) {
            // A NaN anywhere in a window must win it, as in PyTorch, so a bad input is never
            // hidden; checking for it at every comparison made pooling 2-4x slower. NaNs are rare:
            // one vectorised scan of the input chooses the loop instead.
            if (std::is_same_v<Reduce, max_reduce> && contains_nan(x))
                reduce<true>(x, y);
            else
                reduce<false>(x, y);
        }

        /// Max pooling routes each gradient to the first position holding the maximum, or the
        /// first NaN when the maximum is NaN (found again from x and y, so the forward pass keeps
        /// no argmax cache); average pooling spreads it.
        template <bool InputGradient>
        static constexpr void backward(const T*, T*, TensorView<In, const T> x, TensorView<output_shape, const T> y,
                                       TensorView<output_shape, const T> dy, TensorView<In, T> dx) {
            if constexpr (InputGradient) {
                if constexpr (std::is_same_v<Reduce, max_reduce> && Step == Size) {
                    if (!contains_nan(y)) {
                        route_to_first_maximum(x, y, dy, dx);
                        return;
                    }
                }
                for (auto& v : dx) v = T{};
                for (std::size_t c = 0; c < C; ++c)
                    for (std::size_t oy = 0; oy < OH; ++oy)
                        for (std::size_t ox = 0; ox < OW; ++ox) {
                            const T g = dy(c, oy, ox);
                            if constexpr (std::is_same_v<Reduce, max_reduce>) {
                                [&] {
                                    const T maximum = y(c, oy, ox);
                                    const bool is_nan = maximum != maximum;
                                    for (std::size_t ky = 0; ky < Size; ++ky)
                                        for (std::size_t kx = 0; kx < Size; ++kx) {
                                            const T v = x(c, oy * Step + ky, ox * Step + kx);
                                            if (is_nan ? v != v : v == maximum) {
                                                dx(c, oy * Step + ky, ox * Step + kx) += g;
                                                return;
                                            }
                                        }
                                }();
                            } else {
                                const T share = g / T(Size * Size);
                                for (std::size_t ky = 0; ky < Size; ++ky)
                                    for (std::size_t kx = 0; kx < Size; ++kx)
                                        dx(c, oy * Step + ky, ox * Step + kx) += share;
                            }
                        }
            }
        }

    private:
        template <class S>
        static constexpr bool contains_nan(TensorView<S, const T> x) {
            unsigned found = 0;  // an integer OR vectorises where an early exit would not
            for (std::size_t i = 0; i < S::size; ++i) found |= unsigned(x.data()[i] != x.data()[i]);
            return found != 0;
        }

        /// Max pooling's backward when windows do not overlap and no maximum is NaN: the same
        /// routing as the search in `backward`, but every position of a window is written, with
        /// selects rather than branches (the search mispredicts on every window of random data).
        static constexpr void route_to_first_maximum(TensorView<In, const T> x, TensorView<output_shape, const T> y,
                                                     TensorView<output_shape, const T> dy, TensorView<In, T> dx) {
            if constexpr (OH * Size != H || OW * Size != W)  // rows or columns no window covers
                for (auto& v : dx) v = T{};
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t oy = 0; oy < OH; ++oy) {
                    std::size_t ox = 0;
#if TYPENET_SIMD
                    if constexpr (Size == 2 && (simd<T>::lanes == 4 || simd<T>::lanes == 8))
                        if (!std::is_constant_evaluated())
                            for (; ox + simd<T>::lanes / 2 <= OW; ox += simd<T>::lanes / 2)
                                route_in_vectors(&x(c, 2 * oy, 2 * ox), &y(c, oy, ox), &dy(c, oy, ox), &dx(c, 2 * oy, 2 * ox));
#endif
                    for (; ox < OW; ++ox) {
                        const T g = dy(c, oy, ox), maximum = y(c, oy, ox);
                        bool routed = false;
                        for (std::size_t ky = 0; ky < Size; ++ky)
                            for (std::size_t kx = 0; kx < Size; ++kx) {
                                const bool here = !routed && x(c, oy * Size + ky, ox * Size + kx) == maximum;
                                dx(c, oy * Size + ky, ox * Size + kx) = here ? g : T{};
                                routed = routed || here;
                            }
                    }
                }
        }

#if TYPENET_SIMD
        /// route_to_first_maximum for lanes / 2 windows of 2 x 2 side by side: `top` and the row
        /// under it hold them, `maximum` and `gradient` one value each. In training the scalar
        /// form ran 9x slower than this once a batch's activations no longer fit in L1.
        static void route_in_vectors(const T* top, const T* maximum, const T* gradient, T* dx) {
            using V = typename simd<T>::type;
            using Half = typename simd<T>::half;
            Half half_max, half_gradient;
            load(half_max, maximum);
            load(half_gradient, gradient);
            V upper, lower;
            load(upper, top);
            load(lower, top + W);
            // Each window's maximum and gradient twice, once for each column of the window.
            const auto twice = [](const Half& h) {
                if constexpr (simd<T>::lanes == 8)
                    return __builtin_shufflevector(h, h, 0, 0, 1, 1, 2, 2, 3, 3);
                else
                    return __builtin_shufflevector(h, h, 0, 0, 1, 1);
            };
            // The other column of the same window, lane by lane.
            const auto partner = [](const auto& v) {
                if constexpr (simd<T>::lanes == 8)
                    return __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6);
                else
                    return __builtin_shufflevector(v, v, 1, 0, 3, 2);
            };
            const V m = twice(half_max), g = twice(half_gradient);
            const auto in_upper = upper == m, in_lower = lower == m;
            using Mask = std::remove_const_t<decltype(in_upper)>;
            Mask right{};  // -1 in the lanes of a window's right column
            for (std::size_t lane = 1; lane < simd<T>::lanes; lane += 2) right[lane] = -1;
            // Row-major order within a window: a right column loses to its left, a lower row to the upper.
            const Mask first_upper = in_upper & ~(partner(in_upper) & right);
            const Mask first_lower = in_lower & ~(in_upper | partner(in_upper)) & ~(partner(in_lower) & right);
            store(dx, first_upper ? g : V{});
            store(dx + W, first_lower ? g : V{});
        }
#endif

        template <bool NanWins>
        static constexpr void reduce(TensorView<In, const T> x, TensorView<output_shape, T> y) {
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t oy = 0; oy < OH; ++oy)
                    for (std::size_t ox = 0; ox < OW; ++ox) {
                        T acc = x(c, oy * Step, ox * Step);
                        for (std::size_t ky = 0; ky < Size; ++ky)
                            for (std::size_t kx = 0; kx < Size; ++kx) {
                                const T v = x(c, oy * Step + ky, ox * Step + kx);
                                if constexpr (std::is_same_v<Reduce, max_reduce>) {
                                    // v != v holds only for NaN. Once acc is NaN, v > acc never
                                    // holds again, so the window's result stays NaN.
                                    if (v > acc || (NanWins && v != v)) acc = v;
                                } else if (ky + kx > 0) {
                                    acc += v;
                                }
                            }
                        if constexpr (std::is_same_v<Reduce, mean_reduce>) acc /= T(Size * Size);
                        y(c, oy, ox) = acc;
                    }
        }
    };
};

}  // namespace detail

/// Maximum over Size x Size windows, moved by Step (default: non-overlapping).
template <std::size_t Size, std::size_t Step = Size>
struct MaxPool : detail::Pool<detail::max_reduce, Size, Step> {};

/// Mean over Size x Size windows, moved by Step (default: non-overlapping).
template <std::size_t Size, std::size_t Step = Size>
struct AvgPool : detail::Pool<detail::mean_reduce, Size, Step> {};

}  // namespace typenet
