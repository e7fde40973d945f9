// Small fixed-length loops written so that GCC and Clang vectorise them without -ffast-math.
#pragma once

#include <cstddef>
#include <type_traits>

#include <typenet/detail/simd.hpp>

namespace typenet::detail {

/// Partial sums per dot product or sum: two independent chains of 8-float vectors. One running
/// sum would be a serial chain of additions that the compiler may not reorder (floating-point
/// addition is not associative), each waiting for the last to finish. Measured on LeNet-5 and the
/// seed network: 8 lanes leave the chains latency-bound, 32 make short sums pay for the fold.
inline constexpr std::size_t reduction_lanes = 16;

#if TYPENET_SIMD
/// `fold_lanes`'s last steps on one vector: its halves added lane by lane until one value is
/// left. Written with shuffles because compilers turn the array form into stores and scalar
/// reloads, which made the fold cost as much as a 400-term dot product's multiplications.
template <class V>
inline auto fold_vector(const V& v) {
    constexpr std::size_t lanes = sizeof(V) / sizeof(v[0]);
    if constexpr (lanes == 8)
        return fold_vector(__builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7));
    else if constexpr (lanes == 4)
        return fold_vector(__builtin_shufflevector(v, v, 0, 1) + __builtin_shufflevector(v, v, 2, 3));
    else {
        static_assert(lanes == 2, "typenet: fold_vector takes vectors of 2, 4 or 8 lanes");
        return v[0] + v[1];
    }
}
#endif

/// Adds the lanes pairwise, a tree that vectorises, rather than one serial chain.
template <class T>
constexpr T fold_lanes(T (&partial)[reduction_lanes]) {
#if TYPENET_SIMD
    // The same additions of the same pairs, so the same bits: whole vectors first (each holds
    // consecutive lanes), then within the last one.
    if constexpr (fills_vectors<T, reduction_lanes>) {
        if (!std::is_constant_evaluated()) {
            using V = typename simd<T>::type;
            constexpr std::size_t vectors = reduction_lanes / simd<T>::lanes;
            V v[vectors];
            for (std::size_t j = 0; j < vectors; ++j) load(v[j], partial + j * simd<T>::lanes);
            for (std::size_t width = vectors / 2; width > 0; width /= 2)
                for (std::size_t j = 0; j < width; ++j) v[j] += v[j + width];
            return fold_vector(v[0]);
        }
    }
#endif
    for (std::size_t width = reduction_lanes / 2; width > 0; width /= 2)
        for (std::size_t l = 0; l < width; ++l) partial[l] += partial[l + width];
    return partial[0];
}

/// partial[i % reduction_lanes] += term(i) for i < N, in i order: a run of N terms added into
/// lanes that may carry on over several runs (BatchNorm's sum over samples) before one fold.
template <std::size_t N, class T, class Term>
constexpr void add_to_lanes(T (&partial)[reduction_lanes], Term term) {
    constexpr std::size_t body = N / reduction_lanes * reduction_lanes;
    for (std::size_t i = 0; i < body; i += reduction_lanes)
        for (std::size_t l = 0; l < reduction_lanes; ++l) partial[l] += term(i + l);
    for (std::size_t i = body; i < N; ++i) partial[i - body] += term(i);
}

/// Sum of a[i] * b[i]. The summation order is fixed, so results are reproducible run to run.
template <std::size_t N, class T>
constexpr T dot(const T* a, const T* b) {
    T partial[reduction_lanes]{};
    // Product and sum in one expression, as in the vector kernels (dot_tile), so that compilers
    // that fuse only within an expression (Clang) fuse both alike: the same bits either way.
    constexpr std::size_t body = N / reduction_lanes * reduction_lanes;
    for (std::size_t i = 0; i < body; i += reduction_lanes)
        for (std::size_t l = 0; l < reduction_lanes; ++l) partial[l] += a[i + l] * b[i + l];
    for (std::size_t i = body; i < N; ++i) partial[i - body] += a[i] * b[i];
    return fold_lanes(partial);
}

/// Sum of a[i], in the same fixed order as dot.
template <std::size_t N, class T>
constexpr T sum(const T* a) {
    T partial[reduction_lanes]{};
    add_to_lanes<N>(partial, [&](std::size_t i) { return a[i]; });
    return fold_lanes(partial);
}

/// y += alpha * x
template <std::size_t N, class T>
constexpr void axpy(T alpha, const T* x, T* y) {
    for (std::size_t i = 0; i < N; ++i) y[i] += alpha * x[i];
}

}  // namespace typenet::detail
