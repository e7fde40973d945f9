// Small fixed-length loops written so that GCC and Clang vectorise them without -ffast-math.
#pragma once

#include <cstddef>

namespace typenet::detail {

/// Partial sums per dot product or sum: two independent chains of 8-float vectors. One running
/// sum would be a serial chain of additions that the compiler may not reorder (floating-point
/// addition is not associative), each waiting for the last to finish. Measured on LeNet-5 and the
/// seed network: 8 lanes leave the chains latency-bound, 32 make short sums pay for the fold.
inline constexpr std::size_t reduction_lanes = 16;

/// Adds the lanes pairwise, a tree that vectorises, rather than one serial chain.
template <class T>
constexpr T fold_lanes(T (&partial)[reduction_lanes]) {
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
    add_to_lanes<N>(partial, [&](std::size_t i) { return a[i] * b[i]; });
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
