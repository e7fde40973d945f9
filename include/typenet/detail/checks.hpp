// Per-layer compile-time checks whose template arguments (index, layer, input shape) appear in every diagnostic.
#pragma once

#include <cstddef>

#include <typenet/shape.hpp>

namespace typenet::detail {

/// What a layer can find wrong with the shape it is given.
enum class Problem {
    none,
    needs_image_input,    ///< Conv2D and pooling want channels x height x width
    needs_flat_input,     ///< Dense wants a vector: put Flatten before it
    window_too_large,     ///< kernel or pooling window larger than the (padded) input
    zero_size,            ///< a zero filter count, unit count, kernel, window or stride
    same_needs_odd_kernel ///< "same" padding is only symmetric for odd kernels
};

/// A layer's verdict on an input shape: its output shape, or the problem.
struct LayerResult {
    Problem problem = Problem::none;
    ShapeValue output = invalid_shape;
};

constexpr LayerResult reject(Problem p) { return {p, invalid_shape}; }
constexpr LayerResult accept(ShapeValue out) { return {Problem::none, out}; }

/// True unless `Layer`, at position `Index` and fed `InputShape`, has problem `P`. A separate
/// template so that both GCC and Clang print its arguments in the failing static_assert.
template <Problem P, std::size_t Index, class Layer, class InputShape>
inline constexpr bool layer_has_no =
    !shape_value<InputShape>().valid || Layer::propagate(shape_value<InputShape>()).problem != P;

/// Instantiated by the network for every layer as soon as the network type is used; the first
/// lines of a failure name the layer's index (from 0), its type and the shape it was given.
template <std::size_t Index, class Layer, class InputShape>
struct layer_check {
    static_assert(layer_has_no<Problem::needs_image_input, Index, Layer, InputShape>,
                  "typenet: this layer needs a channels x height x width input, but the layer before it "
                  "produces a flat vector (see InputShape)");
    static_assert(layer_has_no<Problem::needs_flat_input, Index, Layer, InputShape>,
                  "typenet: Dense needs a flat input, but it is given a channels x height x width tensor "
                  "(see InputShape): add Flatten before it");
    static_assert(layer_has_no<Problem::window_too_large, Index, Layer, InputShape>,
                  "typenet: the layer's kernel or pooling window is larger than its (padded) input "
                  "(see InputShape)");
    static_assert(layer_has_no<Problem::zero_size, Index, Layer, InputShape>,
                  "typenet: filter counts, unit counts, kernel sizes, window sizes and strides must be "
                  "at least 1");
    static_assert(layer_has_no<Problem::same_needs_odd_kernel, Index, Layer, InputShape>,
                  "typenet: Pad<same> needs an odd kernel size");
    static constexpr bool ok = !shape_value<InputShape>().valid ||
                               Layer::propagate(shape_value<InputShape>()).problem == Problem::none;
};

}  // namespace typenet::detail
