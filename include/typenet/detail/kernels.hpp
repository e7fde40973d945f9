// Small fixed-length loops written so that GCC and Clang vectorise them without -ffast-math.
#pragma once

#include <cstddef>

namespace typenet::detail {

/// Dot product with eight independent partial sums: a single running sum is a serial
/// dependency the compiler may not reorder (floating-point addition is not associative).
/// The summation order is fixed, so results are reproducible run to run.
template <std::size_t N, class T>
constexpr T dot(const T* a, const T* b) {
    constexpr std::size_t lanes = 8, body = N / lanes * lanes;
    T partial[lanes]{};
    for (std::size_t i = 0; i < body; i += lanes)
        for (std::size_t l = 0; l < lanes; ++l) partial[l] += a[i + l] * b[i + l];
    T sum{};
    for (std::size_t i = body; i < N; ++i) sum += a[i] * b[i];
    for (std::size_t l = 0; l < lanes; ++l) sum += partial[l];
    return sum;
}

/// Sum with eight independent partial sums, for the same reason as dot.
template <std::size_t N, class T>
constexpr T sum(const T* a) {
    constexpr std::size_t lanes = 8, body = N / lanes * lanes;
    T partial[lanes]{};
    for (std::size_t i = 0; i < body; i += lanes)
        for (std::size_t l = 0; l < lanes; ++l) partial[l] += a[i + l];
    T total{};
    for (std::size_t i = body; i < N; ++i) total += a[i];
    for (std::size_t l = 0; l < lanes; ++l) total += partial[l];
    return total;
}

/// y += alpha * x
template <std::size_t N, class T>
constexpr void axpy(T alpha, const T* x, T* y) {
    for (std::size_t i = 0; i < N; ++i) y[i] += alpha * x[i];
}

}  // namespace typenet::detail
