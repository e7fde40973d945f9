// Per-layer compile-time checks whose template arguments (index, layer, input shape) appear in every diagnostic.
#pragma once

#include <cstddef>
#include <type_traits>

#include <typenet/layers/layer.hpp>
#include <typenet/shape.hpp>

namespace typenet::detail {

/// The problem `Layer` finds with `InputShape`; none when it has no propagate (its own check says
/// so) or the input is already invalid (an earlier layer's check reported that).
template <class Layer, class InputShape>
constexpr Problem problem_of() {
    if constexpr (!ShapePropagating<Layer>)
        return Problem::none;
    else if constexpr (!shape_value<InputShape>().valid)
        return Problem::none;
    else
        return Layer::propagate(shape_value<InputShape>()).problem;
}
template <class Layer, class InputShape>
inline constexpr Problem layer_problem = problem_of<Layer, InputShape>();

/// True unless `Layer`, at position `Index` and fed `InputShape`, has problem `P`. A separate
/// template so that both GCC and Clang print its arguments in the failing static_assert.
template <Problem P, std::size_t Index, class Layer, class InputShape>
inline constexpr bool layer_has_no = layer_problem<Layer, InputShape> != P;

/// One requirement of LayerDescription each, with the layer's index as an argument that the
/// compiler prints. Each holds when an earlier one already failed, so only the first is reported.
template <std::size_t Index, class Layer>
inline constexpr bool layer_has_kind = NamedLayer<Layer>;
template <std::size_t Index, class Layer>
inline constexpr bool layer_has_settings = !NamedLayer<Layer> || ConfiguredLayer<Layer>;
template <std::size_t Index, class Layer>
inline constexpr bool layer_has_propagate = !(NamedLayer<Layer> && ConfiguredLayer<Layer>) || ShapePropagating<Layer>;
template <std::size_t Index, class Layer>
inline constexpr bool layer_has_bound =
    !(NamedLayer<Layer> && ConfiguredLayer<Layer> && ShapePropagating<Layer>) || Bindable<Layer>;

/// Instantiated by the network for every layer as soon as the network type is used; the first
/// lines of a failure name the layer's index (from 0), its type and the shape it was given.
template <std::size_t Index, class Layer, class InputShape>
struct layer_check {
    static_assert(layer_has_kind<Index, Layer>,
                  "typenet: a layer needs `static constexpr std::string_view kind` (see LayerDescription in "
                  "layers/layer.hpp)");
    static_assert(layer_has_settings<Index, Layer>,
                  "typenet: a layer needs `static constexpr std::array<LayerSetting, N> settings` listing its "
                  "options, empty for none (see LayerDescription in layers/layer.hpp)");
    static_assert(layer_has_propagate<Index, Layer>,
                  "typenet: a layer needs `static constexpr LayerResult propagate(ShapeValue input)` (see "
                  "LayerDescription in layers/layer.hpp)");
    static_assert(layer_has_bound<Index, Layer>,
                  "typenet: a layer needs a member `template <class InputShape, class T> struct bound` (see "
                  "LayerDescription in layers/layer.hpp)");
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
    static_assert(layer_has_no<Problem::unsupported_input, Index, Layer, InputShape>,
                  "typenet: the layer does not accept its input shape (see InputShape, and the layer's "
                  "propagate)");
    static constexpr bool ok = LayerDescription<Layer> && layer_problem<Layer, InputShape> == Problem::none;
};

/// One requirement of BoundLayer each, as for the description above.
template <std::size_t Index, class Layer, class Bound>
inline constexpr bool bound_layer_has_shapes = ShapedLayer<Bound>;
template <std::size_t Index, class Layer, class Bound, class InputShape, class OutputShape>
inline constexpr bool bound_layer_shapes_agree =
    !ShapedLayer<Bound> || (std::is_same_v<typename Bound::input_shape, InputShape> &&
                            std::is_same_v<typename Bound::output_shape, OutputShape>);
template <std::size_t Index, class Layer, class Bound>
inline constexpr bool bound_layer_has_parameters = ParameterizedLayer<Bound>;
template <std::size_t Index, class Layer, class Bound, class T>
inline constexpr bool bound_layer_has_forward = !ShapedLayer<Bound> || ForwardLayer<Bound, T>;
template <std::size_t Index, class Layer, class Bound, class T>
inline constexpr bool bound_layer_has_backward = !ShapedLayer<Bound> || BackwardLayer<Bound, T>;

/// Checks `Layer::bound<InputShape, T>` against BoundLayer; instantiated by the network once every
/// description has passed layer_check, so a layer is never bound to a shape it rejected.
template <std::size_t Index, class Layer, class InputShape, class OutputShape, class T>
struct bound_layer_check {
    using bound = typename Layer::template bound<InputShape, T>;
    static_assert(bound_layer_has_shapes<Index, Layer, bound>,
                  "typenet: a bound layer needs `using input_shape = InputShape;` and `using output_shape = "
                  "Shape<...>;` (see BoundLayer in layers/layer.hpp)");
    static_assert(bound_layer_shapes_agree<Index, Layer, bound, InputShape, OutputShape>,
                  "typenet: the bound layer's input_shape or output_shape differs from the shapes its "
                  "propagate gave (see InputShape and OutputShape)");
    static_assert(bound_layer_has_parameters<Index, Layer, bound>,
                  "typenet: a bound layer needs `using parameters = ParameterList<...>;`, ParameterList<> for "
                  "none (see BoundLayer in layers/layer.hpp)");
    static_assert(bound_layer_has_forward<Index, Layer, bound, T>,
                  "typenet: a bound layer needs `static void forward(const T* params, TensorView<input_shape, "
                  "const T> x, TensorView<output_shape, T> y)`, with `T* scratch` last if it declares "
                  "scratch_size (see ForwardLayer in layers/layer.hpp)");
    static_assert(bound_layer_has_backward<Index, Layer, bound, T>,
                  "typenet: a bound layer needs `template <bool InputGradient> static void backward(const T* "
                  "params, T* grads, x, y, dy, dx)`, with `const T* scratch` last if it declares scratch_size "
                  "(see BackwardLayer in layers/layer.hpp)");
    static constexpr bool ok = BoundLayer<bound, T> && bound_layer_shapes_agree<Index, Layer, bound, InputShape, OutputShape>;
};

}  // namespace typenet::detail
