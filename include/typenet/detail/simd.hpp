// A thin layer over GCC's and Clang's vector extensions: fixed-width vectors of floats or doubles,
// with the operators of the scalar type, which the compiler maps to SSE, AVX or NEON instructions.
//
// The kernels that use it keep a scalar loop for constant evaluation and for targets without
// vector registers (microcontrollers): that loop is the reference, and the vector loop performs
// the same operations on each lane, so both give the same bits.
#pragma once

#include <cstddef>

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define TYPENET_SIMD 1
#if defined(__AVX__)
#define TYPENET_SIMD_BYTES 32
#else
#define TYPENET_SIMD_BYTES 16
#endif
#else
#define TYPENET_SIMD 0
#endif

namespace typenet::detail {

#if TYPENET_SIMD
template <class T>
struct simd {
    static constexpr std::size_t lanes = 1;  // no vectors of this type: the scalar loops run
};
template <>
struct simd<float> {
    using type = float __attribute__((vector_size(TYPENET_SIMD_BYTES)));
    using half = float __attribute__((vector_size(TYPENET_SIMD_BYTES / 2)));  // its lower lanes
    static constexpr std::size_t lanes = TYPENET_SIMD_BYTES / sizeof(float);
};
template <>
struct simd<double> {
    using type = double __attribute__((vector_size(TYPENET_SIMD_BYTES)));
    using half = double __attribute__((vector_size(TYPENET_SIMD_BYTES / 2)));
    static constexpr std::size_t lanes = TYPENET_SIMD_BYTES / sizeof(double);
};

// By reference, never by value: passing vectors by value changes the ABI between instruction
// sets, and compilers warn about it.
template <class V, class T>
inline void load(V& v, const T* from) {
    __builtin_memcpy(&v, from, sizeof v);
}
template <class V, class T>
inline void store(T* to, const V& v) {
    __builtin_memcpy(to, &v, sizeof v);
}
#else
template <class T>
struct simd {
    static constexpr std::size_t lanes = 1;
};
#endif

/// Whether `Width` values of T are a whole number of vectors, so a vector loop can take them.
template <class T, std::size_t Width>
inline constexpr bool fills_vectors = simd<T>::lanes > 1 && Width % simd<T>::lanes == 0;

}  // namespace typenet::detail
