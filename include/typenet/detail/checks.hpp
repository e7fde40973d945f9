// Per-layer compile-time checks whose template arguments (index, layer, input shape) appear in every diagnostic.
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <type_traits>

#include <typenet/layers/layer.hpp>
#include <typenet/shape.hpp>

namespace typenet::detail {

/// One step of a layer's path: the layer at `Index` of its network or block.
template <std::size_t Index, class Layer>
struct layer_at {
    using layer = Layer;
};
/// Where a layer sits, outermost first: `layer_path<layer_at<3, Residual<...>>, layer_at<2,
/// Conv2D<16, Kernel<7>>>>` is layer 2 inside the Residual at layer 3. Every check below takes it
/// as its first argument, so the compiler prints the whole path in the first lines of an error.
template <class... Steps>
struct layer_path {
    using layer = typename nth_type<sizeof...(Steps) - 1, Steps...>::type::layer;
    template <std::size_t Index, class Child>
    using then = layer_path<Steps..., layer_at<Index, Child>>;
};

/// A block: a layer with layers inside (Sequential, Residual, Concat), whose checks run with
/// their paths.
template <class Layer>
concept block_layer = requires(ShapeValue in) {
    typename Layer::children;
    Layer::child_inputs(in);
};

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

/// True unless the layer at `Path`, fed `InputShape`, has problem `P`. A separate template so
/// that both GCC and Clang print its arguments in the failing static_assert.
template <Problem P, class Path, class InputShape>
inline constexpr bool layer_has_no = layer_problem<typename Path::layer, InputShape> != P;

/// One requirement of LayerDescription each, with the layer's path as an argument that the
/// compiler prints. Each holds when an earlier one already failed, so only the first is reported.
template <class Path, class Layer = typename Path::layer>
inline constexpr bool layer_has_kind = NamedLayer<Layer>;
template <class Path, class Layer = typename Path::layer>
inline constexpr bool layer_has_settings = !NamedLayer<Layer> || ConfiguredLayer<Layer>;
template <class Path, class Layer = typename Path::layer>
inline constexpr bool layer_has_propagate = !(NamedLayer<Layer> && ConfiguredLayer<Layer>) || ShapePropagating<Layer>;
template <class Path, class Layer = typename Path::layer>
inline constexpr bool layer_has_bound =
    !(NamedLayer<Layer> && ConfiguredLayer<Layer> && ShapePropagating<Layer>) || Bindable<Layer>;

/// The inputs a block gives its inner layers, as a table shape_from_table reads.
template <class Block, class InputShape>
struct child_input_table {
    static constexpr auto shapes = Block::child_inputs(shape_value<InputShape>());
};
template <class Block, class InputShape, std::size_t K>
using child_input = typename shape_from_table<child_input_table<Block, InputShape>, K>::type;

template <class Path, class InputShape>
struct layer_check;

/// The checks of a block's inner layers, each under its path; instantiated only for a block one
/// of whose layers failed, so a failure shows the path down to that layer.
template <class Path, class InputShape, class Children = typename Path::layer::children,
          class Indices = std::make_index_sequence<Children::size>>
struct inner_layer_checks;
template <class Path, class InputShape, template <class...> class List, class... Children, std::size_t... K>
struct inner_layer_checks<Path, InputShape, List<Children...>, std::index_sequence<K...>> {
    static constexpr bool ok =
        (layer_check<typename Path::template then<K, Children>, child_input<typename Path::layer, InputShape, K>>::ok &&
         ...);
};

template <class Path, class InputShape, bool InsideBlock = layer_problem<typename Path::layer, InputShape> == Problem::inside_block>
struct inner_checks {
    static constexpr bool ok = true;
};
template <class Path, class InputShape>
struct inner_checks<Path, InputShape, true> : inner_layer_checks<Path, InputShape> {};

/// Instantiated by the network for every layer as soon as the network type is used; the first
/// lines of a failure name the layer's path (indices from 0, with each block's type), its type
/// and the shape it was given.
template <class Path, class InputShape>
struct layer_check {
    using Layer = typename Path::layer;
    static_assert(layer_has_kind<Path>,
                  "typenet: a layer needs `static constexpr std::string_view kind` (see LayerDescription in "
                  "layers/layer.hpp)");
    static_assert(layer_has_settings<Path>,
                  "typenet: a layer needs `static constexpr std::array<LayerSetting, N> settings` listing its "
                  "options, empty for none (see LayerDescription in layers/layer.hpp)");
    static_assert(layer_has_propagate<Path>,
                  "typenet: a layer needs `static constexpr LayerResult propagate(ShapeValue input)` (see "
                  "LayerDescription in layers/layer.hpp)");
    static_assert(layer_has_bound<Path>,
                  "typenet: a layer needs a member `template <class InputShape, class T> struct bound` (see "
                  "LayerDescription in layers/layer.hpp)");
    static_assert(layer_has_no<Problem::needs_image_input, Path, InputShape>,
                  "typenet: this layer needs a channels x height x width input, but the layer before it "
                  "produces a flat vector (see InputShape)");
    static_assert(layer_has_no<Problem::needs_flat_input, Path, InputShape>,
                  "typenet: Dense needs a flat input, but it is given a channels x height x width tensor "
                  "(see InputShape): add Flatten before it");
    static_assert(layer_has_no<Problem::window_too_large, Path, InputShape>,
                  "typenet: the layer's kernel or pooling window is larger than its (padded) input "
                  "(see InputShape)");
    static_assert(layer_has_no<Problem::zero_size, Path, InputShape>,
                  "typenet: filter counts, unit counts, kernel sizes, window sizes and strides must be "
                  "at least 1");
    static_assert(layer_has_no<Problem::same_needs_odd_kernel, Path, InputShape>,
                  "typenet: Pad<same> needs an odd kernel size");
    static_assert(layer_has_no<Problem::unsupported_input, Path, InputShape>,
                  "typenet: the layer does not accept its input shape (see InputShape, and the layer's "
                  "propagate)");
    static_assert(layer_has_no<Problem::body_changes_shape, Path, InputShape>,
                  "typenet: this Residual's body gives an output of another shape than its input (see "
                  "InputShape), so the two cannot be added: make the body keep the shape, or give the "
                  "Residual a projection, Residual<Shortcut<...>, ...>, as its first argument");
    static_assert(layer_has_no<Problem::branches_differ, Path, InputShape>,
                  "typenet: this Concat's branches give outputs of different ranks or different heights and "
                  "widths (see InputShape), so they cannot be stacked along channels");
    // A member type, not a static member alone: that would be instantiated only if used, and the
    // inner layers' checks would never run.
    using inner_checked_ = std::bool_constant<inner_checks<Path, InputShape>::ok>;
    static constexpr bool ok = LayerDescription<Layer> && layer_problem<Layer, InputShape> == Problem::none;
};

/// One requirement of BoundLayer each, as for the description above.
template <class Path, class Bound>
inline constexpr bool bound_layer_has_shapes = ShapedLayer<Bound>;
template <class Path, class Bound, class InputShape, class OutputShape>
inline constexpr bool bound_layer_shapes_agree =
    !ShapedLayer<Bound> || (std::is_same_v<typename Bound::input_shape, InputShape> &&
                            std::is_same_v<typename Bound::output_shape, OutputShape>);
template <class Path, class Bound>
inline constexpr bool bound_layer_has_parameters = ParameterizedLayer<Bound>;
template <class Path, class Bound, class T>
inline constexpr bool bound_layer_has_forward = !ShapedLayer<Bound> || ForwardLayer<Bound, T>;
template <class Path, class Bound, class T>
inline constexpr bool bound_layer_has_backward = !ShapedLayer<Bound> || BackwardLayer<Bound, T>;

template <class Path, class InputShape, class OutputShape, class T>
struct bound_layer_check;

/// The output a block's inner layer K gives for its input.
template <class Block, class InputShape, std::size_t K, class Child>
struct child_output_table {
    static constexpr std::array<ShapeValue, 1> shapes{Child::propagate(Block::child_inputs(shape_value<InputShape>())[K]).output};
};

/// Binds and checks a block's inner layers, each under its path, before the block itself.
template <class Path, class InputShape, class T, class Children = typename Path::layer::children,
          class Indices = std::make_index_sequence<Children::size>>
struct inner_bound_checks;
template <class Path, class InputShape, class T, template <class...> class List, class... Children, std::size_t... K>
struct inner_bound_checks<Path, InputShape, T, List<Children...>, std::index_sequence<K...>> {
    static constexpr bool ok =
        (bound_layer_check<typename Path::template then<K, Children>, child_input<typename Path::layer, InputShape, K>,
                           typename shape_from_table<child_output_table<typename Path::layer, InputShape, K, Children>, 0>::type,
                           T>::ok &&
         ...);
};
template <class Path, class InputShape, class T, bool Block = block_layer<typename Path::layer>>
struct inner_bound_checks_if_block {
    static constexpr bool ok = true;
};
template <class Path, class InputShape, class T>
struct inner_bound_checks_if_block<Path, InputShape, T, true> : inner_bound_checks<Path, InputShape, T> {};

/// The bound layer, checked against BoundLayer; a stand-in when an inner layer already failed.
template <bool InnerOk, class Path, class InputShape, class OutputShape, class T>
struct own_bound_check {
    static constexpr bool ok = false;
};
template <class Path, class InputShape, class OutputShape, class T>
struct own_bound_check<true, Path, InputShape, OutputShape, T> {
    using bound = typename Path::layer::template bound<InputShape, T>;
    static_assert(bound_layer_has_shapes<Path, bound>,
                  "typenet: a bound layer needs `using input_shape = InputShape;` and `using output_shape = "
                  "Shape<...>;` (see BoundLayer in layers/layer.hpp)");
    static_assert(bound_layer_shapes_agree<Path, bound, InputShape, OutputShape>,
                  "typenet: the bound layer's input_shape or output_shape differs from the shapes its "
                  "propagate gave (see InputShape and OutputShape)");
    static_assert(bound_layer_has_parameters<Path, bound>,
                  "typenet: a bound layer needs `using parameters = ParameterList<...>;`, ParameterList<> for "
                  "none (see BoundLayer in layers/layer.hpp)");
    static_assert(bound_layer_has_forward<Path, bound, T>,
                  "typenet: a bound layer needs `static void forward(const T* params, TensorView<input_shape, "
                  "const T> x, TensorView<output_shape, T> y)`, with `T* scratch` last if it declares "
                  "scratch_size (see ForwardLayer in layers/layer.hpp)");
    static_assert(bound_layer_has_backward<Path, bound, T>,
                  "typenet: a bound layer needs `template <bool InputGradient> static void backward(const T* "
                  "params, T* grads, x, y, dy, dx)`, with `const T* scratch` last if it declares scratch_size "
                  "(see BackwardLayer in layers/layer.hpp)");
    static constexpr bool ok = BoundLayer<bound, T> && bound_layer_shapes_agree<Path, bound, InputShape, OutputShape>;
};

/// Checks `Layer::bound<InputShape, T>` against BoundLayer, a block's inner layers first;
/// instantiated by the network once every description has passed layer_check, so a layer is
/// never bound to a shape it rejected.
template <class Path, class InputShape, class OutputShape, class T>
struct bound_layer_check {
    using inner_checked_ = std::bool_constant<inner_bound_checks_if_block<Path, InputShape, T>::ok>;
    static constexpr bool ok = own_bound_check<inner_checked_::value, Path, InputShape, OutputShape, T>::ok;
};

}  // namespace typenet::detail
