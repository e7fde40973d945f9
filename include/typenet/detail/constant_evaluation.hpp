// Stand-ins for the layers whose forward calls <cmath> (Sigmoid, Tanh, Softmax) while the compiler evaluates it.
#pragma once

#include <cstddef>
#include <limits>

#include <typenet/layers/activations.hpp>
#include <typenet/tensor.hpp>

namespace typenet::detail {

/// 2^k * value by repeated squaring: std::ldexp is not constexpr before C++23.
constexpr double times_power_of_two(double value, long long k) {
    double factor = k < 0 ? 0.5 : 2.0;
    for (unsigned long long n = k < 0 ? 0ULL - static_cast<unsigned long long>(k) : static_cast<unsigned long long>(k);
         n > 0; n >>= 1) {
        if (n & 1) value *= factor;
        factor *= factor;
    }
    return value;
}

/// e^r - 1 for |r| <= 0.5 by its Taylor series: 20 terms leave the error below double's rounding.
constexpr double small_expm1(double r) {
    double term = 1, sum = 0;
    for (int n = 1; n <= 20; ++n) {
        term *= r / n;
        sum += term;
    }
    return sum;
}

/// e^x in constant evaluation, where std::exp is not allowed (Clang) or not portable. Within an
/// ulp of the true value in double for normal results, so rounding it to float almost always
/// gives what std::exp(float) gives at run time.
constexpr double constant_exp(double x) {
    if (x != x) return x;
    if (x > 709.7) return std::numeric_limits<double>::infinity();
    if (x < -745.2) return 0.0;
    // Cody and Waite's split of ln 2 (as in fdlibm): k * ln2_hi is exact for |k| < 2^11.
    constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    constexpr double inverse_ln2 = 1.44269504088896338700e+00;
    const double scaled = x * inverse_ln2;
    const auto k = static_cast<long long>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    const double r = (x - double(k) * ln2_hi) - double(k) * ln2_lo;
    return times_power_of_two(1.0 + small_expm1(r), k);
}

struct constant_sigmoid {
    template <class T>
    static constexpr T value(T x) {
        return T{1} / (T{1} + T(constant_exp(double(-x))));
    }
};

struct constant_tanh {
    template <class T>
    static constexpr T value(T x) {
        const double twice = 2 * double(x);
        if (twice > 40) return T{1};
        if (twice < -40) return T{-1};
        // e^2x - 1 without cancellation near 0, where tanh x is about x.
        const double e2x_minus_1 = twice > -0.5 && twice < 0.5 ? small_expm1(twice) : constant_exp(twice) - 1;
        return T(e2x_minus_1 / (e2x_minus_1 + 2));
    }
};

struct ConstantSoftmax {
    template <class In, class T>
    struct bound {
        using input_shape = In;
        using output_shape = In;
        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<In, T> y) {
            T largest = x[0];
            for (std::size_t i = 1; i < In::size; ++i) largest = x[i] > largest ? x[i] : largest;
            T sum{};
            for (std::size_t i = 0; i < In::size; ++i) sum += (y[i] = T(constant_exp(double(x[i] - largest))));
            for (std::size_t i = 0; i < In::size; ++i) y[i] /= sum;
        }
    };
};

/// The layer that computes `Layer`'s forward in constant evaluation: itself, unless its forward
/// calls <cmath>. The stand-ins follow the same formulas, so results agree to about an ulp:
/// over 7.4 million floats in [-87, 87], Sigmoid's differs from the run-time value (glibc 2.36)
/// for 0.02% of inputs, by one ulp; Tanh's for 22%, because glibc's tanhf itself is only within
/// 2 ulps of the true value. A class predicted at compile time can therefore differ from the
/// run-time one only when two outputs are nearly tied.
template <class Layer>
struct constant_evaluable {
    using type = Layer;
};
template <>
struct constant_evaluable<Sigmoid> {
    using type = Elementwise<constant_sigmoid>;
};
template <>
struct constant_evaluable<Tanh> {
    using type = Elementwise<constant_tanh>;
};
template <>
struct constant_evaluable<Softmax> {
    using type = ConstantSoftmax;
};

}  // namespace typenet::detail
