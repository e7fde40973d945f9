// Activation layers: LeakyReLU, ReLU, Sigmoid, Tanh (element-wise) and Softmax; any input shape.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <ratio>
#include <string_view>

#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/tensor.hpp>

namespace typenet {
namespace detail {

/// An activation applied value by value. `Function` gives `value(x)` and `derivative(x, y)`;
/// the derivative may use the input x or the output y, whichever is cheaper.
template <class Function>
struct Elementwise {
    static constexpr LayerResult propagate(ShapeValue in) { return accept(in); }

    template <class In, class T>
    struct bound : NoParameters {
        using input_shape = In;
        using output_shape = In;

        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<In, T> y) {
            for (std::size_t i = 0; i < In::size; ++i) y[i] = Function::value(x[i]);
        }
        template <bool InputGradient>
        static constexpr void backward(const T*, T*, TensorView<In, const T> x, TensorView<In, const T> y,
                                       TensorView<In, const T> dy, TensorView<In, T> dx) {
            // Derivatives first, then the products (the same bits): in one loop GCC 12 rewrites
            // dy * (x > 0 ? 1 : alpha) as a branch around a multiplication, which neither
            // vectorises nor predicts well (dx and dy never share storage).
            if constexpr (InputGradient) {
                for (std::size_t i = 0; i < In::size; ++i) dx[i] = Function::derivative(x[i], y[i]);
                for (std::size_t i = 0; i < In::size; ++i) dx[i] *= dy[i];
            }
        }
    };
};

template <class Alpha>
struct leaky_relu {
    template <class T>
    static constexpr T alpha = T(Alpha::num) / T(Alpha::den);
    /// x for x > 0, else alpha x: for alpha in (0, 1) the larger of the two, signed zeros and
    /// NaN included (tests/unit/layers_test.cpp), a maximum that GCC 12 vectorises where it
    /// branches on the definition. With alpha 0 that differs at -inf (0 x -inf is NaN), so
    /// alpha 0 keeps the definition.
    template <class T>
    static constexpr T value(T x) {
        const T scaled = alpha<T> * x;
        if constexpr (Alpha::num == 0)
            return x > T{} ? x : scaled;
        else
            return x < scaled ? scaled : x;
    }
    template <class T>
    static constexpr T derivative(T x, T) { return x > T{} ? T{1} : alpha<T>; }
};

struct relu {
    /// max(x, 0), +0 for x <= 0, and NaN for NaN: a bad value is never hidden (as in PyTorch).
    template <class T>
    static constexpr T value(T x) { return x <= T{} ? T{} : x; }
    template <class T>
    static constexpr T derivative(T x, T) { return x > T{} ? T{1} : T{}; }
};

struct sigmoid {
    template <class T>
    static T value(T x) { return T{1} / (T{1} + std::exp(-x)); }
    template <class T>
    static constexpr T derivative(T, T y) { return y * (T{1} - y); }
};

struct tanh_function {
    template <class T>
    static T value(T x) { return std::tanh(x); }
    template <class T>
    static constexpr T derivative(T, T y) { return T{1} - y * y; }
};

}  // namespace detail

/// max(x, alpha x); alpha is a std::ratio, 0.001 by default (the seed network's choice).
template <class Alpha = std::ratio<1, 1000>>
struct LeakyReLU : detail::Elementwise<detail::leaky_relu<Alpha>> {
    static_assert(Alpha::num >= 0 && Alpha::num < Alpha::den, "typenet: LeakyReLU's alpha must lie in [0, 1)");
    static constexpr std::string_view kind = "LeakyReLU";
    // std::ratio is always reduced, so equal slopes give equal settings.
    static constexpr std::array<LayerSetting, 2> settings{{{"alpha_num", Alpha::num}, {"alpha_den", Alpha::den}}};
};

struct ReLU : detail::Elementwise<detail::relu> {
    static constexpr std::string_view kind = "ReLU";
    static constexpr std::array<LayerSetting, 0> settings{};
};

struct Sigmoid : detail::Elementwise<detail::sigmoid> {
    static constexpr std::string_view kind = "Sigmoid";
    static constexpr std::array<LayerSetting, 0> settings{};
};

struct Tanh : detail::Elementwise<detail::tanh_function> {
    static constexpr std::string_view kind = "Tanh";
    static constexpr std::array<LayerSetting, 0> settings{};
};

/// exp(x_i) / sum exp(x_j) over the whole tensor, computed with the maximum subtracted so
/// large logits cannot overflow. For training, prefer a plain output with SoftmaxCrossEntropy.
struct Softmax {
    static constexpr std::string_view kind = "Softmax";
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr detail::LayerResult propagate(detail::ShapeValue in) { return detail::accept(in); }

    template <class In, class T>
    struct bound : NoParameters {
        using input_shape = In;
        using output_shape = In;

        static void forward(const T*, TensorView<In, const T> x, TensorView<In, T> y) {
            T largest = x[0];
            for (std::size_t i = 1; i < In::size; ++i) largest = x[i] > largest ? x[i] : largest;
            T sum{};
            for (std::size_t i = 0; i < In::size; ++i) sum += (y[i] = std::exp(x[i] - largest));
            for (std::size_t i = 0; i < In::size; ++i) y[i] /= sum;
        }
        template <bool InputGradient>
        static constexpr void backward(const T*, T*, TensorView<In, const T>, TensorView<In, const T> y,
                                       TensorView<In, const T> dy, TensorView<In, T> dx) {
            if constexpr (InputGradient) {
                T weighted{};
                for (std::size_t i = 0; i < In::size; ++i) weighted += dy[i] * y[i];
                for (std::size_t i = 0; i < In::size; ++i) dx[i] = y[i] * (dy[i] - weighted);
            }
        }
    };
};

}  // namespace typenet
