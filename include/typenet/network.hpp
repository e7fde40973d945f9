// Network<Input<...>, Layers...>: shape propagation, per-layer checks, storage, forward and backward.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <typenet/detail/checks.hpp>
#include <typenet/shape.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// The shape of one input sample, e.g. `Input<1, 28, 28>` for a grey 28x28 image.
template <std::size_t... Dims>
struct Input {
    using shape = Shape<Dims...>;
};

namespace detail {

/// Every intermediate shape (index 0 is the input, i + 1 the output of layer i) and the
/// problem each layer found. Computed by a loop, so depth does not grow with the layer count.
template <std::size_t N>
struct Propagation {
    std::array<ShapeValue, N + 1> shapes{};
    std::array<Problem, N> problems{};
};

template <class Layer, std::size_t N>
constexpr void propagate_one(Propagation<N>& r, std::size_t i) {
    if (!r.shapes[i].valid) {  // an earlier layer already failed and reported it
        r.shapes[i + 1] = invalid_shape;
        return;
    }
    if constexpr (ShapePropagating<Layer>) {
        const LayerResult result = Layer::propagate(r.shapes[i]);
        r.problems[i] = result.problem;
        r.shapes[i + 1] = result.problem == Problem::none ? result.output : invalid_shape;
    } else {  // the layer's check reports what it lacks
        r.shapes[i + 1] = invalid_shape;
    }
}

template <class... Layers>
constexpr Propagation<sizeof...(Layers)> propagate(ShapeValue input) {
    Propagation<sizeof...(Layers)> r{};
    r.shapes[0] = input;
    std::size_t i = 0;
    ((propagate_one<Layers>(r, i), ++i), ...);
    return r;
}

/// The shapes and problems of one network, as a type so they can be read at compile time.
template <class InputShape, class... Layers>
struct shape_table {
    static constexpr Propagation<sizeof...(Layers)> propagation = propagate<Layers...>(shape_value<InputShape>());
    static constexpr auto shapes = propagation.shapes;
};

template <class Table, std::size_t I>
using table_shape = typename shape_from_table<Table, I>::type;

template <class Table, class Layers, class Indices>
struct layer_checks;
template <class Table, class... Layers, std::size_t... I>
struct layer_checks<Table, boost::hana::basic_tuple<Layers...>, std::index_sequence<I...>> {
    static constexpr bool ok = (layer_check<I, Layers, table_shape<Table, I>>::ok && ...);
};

/// Binds the layers and checks them only when every description passed (`DescriptionsOk`), so no
/// layer is bound to a shape it rejected.
template <bool DescriptionsOk, class T, class Table, class Layers, class Indices>
struct bound_layer_checks {
    static constexpr bool ok = false;
};
template <class T, class Table, class... Layers, std::size_t... I>
struct bound_layer_checks<true, T, Table, boost::hana::basic_tuple<Layers...>, std::index_sequence<I...>> {
    static constexpr bool ok =
        (bound_layer_check<I, Layers, table_shape<Table, I>, table_shape<Table, I + 1>, T>::ok && ...);
};

template <class T, class Table, class Indices>
struct tensor_tuple;
template <class T, class Table, std::size_t... I>
struct tensor_tuple<T, Table, std::index_sequence<I...>> {
    using type = boost::hana::basic_tuple<Tensor<table_shape<Table, I>, T>...>;
};

using typenet::scratch_size_of;

/// Every parameter tensor of every layer, in storage order, with offsets into the network's
/// parameters; a loop over the layers' lists, so its depth does not grow with the layer count.
template <std::size_t Count, class... Lists>
constexpr std::array<ParameterInfo, Count> parameter_tensors_of(const std::array<std::size_t, sizeof...(Lists) + 1>& offsets) {
    std::array<ParameterInfo, Count> result{};
    std::size_t next = 0, layer = 0;
    const auto add = [&](const auto& tensors) {
        for (ParameterInfo tensor : tensors) {
            tensor.offset += offsets[layer];
            tensor.layer = layer;
            result[next++] = tensor;
        }
        ++layer;
    };
    (add(Lists::tensors), ...);
    return result;
}

/// Calls a layer's forward, passing scratch memory only to layers that declare it.
template <class Impl, class T, class X, class Y>
constexpr void forward_layer(const T* params, X x, Y y, T* scratch) {
    if constexpr (scratch_size_of<Impl> > 0)
        Impl::forward(params, x, y, scratch);
    else
        Impl::forward(params, x, y);
}

template <class Impl, bool InputGradient, class T, class X, class Y, class DX>
constexpr void backward_layer(const T* params, T* grads, X x, Y y, Y dy, DX dx, const T* scratch) {
    if constexpr (scratch_size_of<Impl> > 0)
        Impl::template backward<InputGradient>(params, grads, x, y, dy, dx, scratch);
    else
        Impl::template backward<InputGradient>(params, grads, x, y, dy, dx);
}

/// Formats a network's summary table; defined in <typenet/viz/summary.hpp>, which uses fmt,
/// so the core stays free of it.
template <class Net>
struct summary_table;

/// Stands in for the storage of a network that failed its checks, so that no layer is
/// instantiated with a shape it rejected (which would bury the real error under others).
struct no_storage {};

}  // namespace detail

/// A feed-forward network whose layer shapes are all computed and checked at compile time.
/// Holds parameters, gradients, every activation and the layers' scratch by value: no heap,
/// and `sizeof` is the whole memory story.
/// See examples/declare_network.cpp.
template <class T, class InputSpec, class... Layers>
class BasicNetwork {
    static_assert(sizeof...(Layers) > 0, "typenet: a Network needs at least one layer after its Input");
    static_assert(std::is_floating_point_v<T>, "typenet: the scalar type must be float, double or long double");

    using table_ = detail::shape_table<typename InputSpec::shape, Layers...>;
    using layer_tuple_ = boost::hana::basic_tuple<Layers...>;

public:
    using scalar_type = T;
    template <class U>
    using with_scalar = BasicNetwork<U, InputSpec, Layers...>;

    static constexpr std::size_t layer_count = sizeof...(Layers);

    /// True when every layer is a LayerDescription that accepts its input and binds to a
    /// BoundLayer; otherwise the failing layer's check has already stopped compilation with its
    /// index, type and input shape.
    static constexpr bool valid =
        detail::bound_layer_checks<detail::layer_checks<table_, layer_tuple_, std::index_sequence_for<Layers...>>::ok,
                                   T, table_, layer_tuple_, std::index_sequence_for<Layers...>>::ok;

private:
    // Evaluates the checks first thing, so a failing one is reported from here, right under the
    // user's code, instead of from deep inside the parameter bookkeeping below.
    using checked_ = std::bool_constant<valid>;

public:
    /// The layer type at position I (from 0), e.g. `Conv2D<8, Kernel<3>, Stride<2>>`.
    template <std::size_t I>
    using layer_type = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(boost::hana::tuple_t<Layers...>))>::type;
    template <std::size_t I>
    static constexpr std::string_view layer_kind = layer_type<I>::kind;
    static constexpr std::array<std::string_view, layer_count> layer_kinds{Layers::kind...};

    using input_shape_type = typename InputSpec::shape;
    static constexpr input_shape_type input_shape{};
    /// Output shape of layer I.
    template <std::size_t I>
    using shape_type = detail::table_shape<table_, I + 1>;
    template <std::size_t I>
    static constexpr shape_type<I> shape_at{};
    using output_shape_type = detail::table_shape<table_, layer_count>;
    static constexpr output_shape_type output_shape{};

    using input_tensor = Tensor<input_shape_type, T>;
    using output_tensor = Tensor<output_shape_type, T>;

    /// Layer I bound to its input shape and scalar type: the static forward/backward code.
    template <std::size_t I>
    using layer_impl = typename layer_type<I>::template bound<detail::table_shape<table_, I>, T>;

private:
    template <std::size_t... I>
    static constexpr std::array<std::size_t, layer_count + 1> offsets(std::index_sequence<I...>) {
        std::array<std::size_t, layer_count + 1> result{};
        if constexpr (valid) {
            const std::array<std::size_t, layer_count> counts{layer_impl<I>::parameters::size...};
            for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + counts[i];
        }
        return result;
    }
    template <std::size_t... I>
    static constexpr std::array<std::size_t, layer_count + 1> scratch_offsets_of(std::index_sequence<I...>) {
        std::array<std::size_t, layer_count + 1> result{};
        if constexpr (valid) {
            const std::array<std::size_t, layer_count> sizes{detail::scratch_size_of<layer_impl<I>>...};
            for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + sizes[i];
        }
        return result;
    }
    template <std::size_t... I>
    static constexpr std::size_t tensor_count(std::index_sequence<I...>) {
        if constexpr (valid)
            return (layer_impl<I>::parameters::tensor_count + ... + 0);
        else
            return 0;
    }
    template <std::size_t... I>
    static constexpr auto tensors(std::index_sequence<I...>) {
        constexpr std::size_t count = tensor_count(std::index_sequence<I...>{});
        if constexpr (valid)
            return detail::parameter_tensors_of<count, typename layer_impl<I>::parameters...>(parameter_offsets);
        else
            return std::array<ParameterInfo, 0>{};
    }
    template <std::size_t... I>
    static constexpr std::size_t largest_output(std::index_sequence<I...>) {
        std::size_t largest = 0;
        for (auto s : {table_::shapes[I + 1].size()...}) largest = s > largest ? s : largest;
        return largest;
    }

    using activations_type =
        typename detail::tensor_tuple<T, table_, std::make_index_sequence<layer_count + 1>>::type;

public:
    /// Where layer I's parameters start in `parameters()`; the last entry is the total.
    static constexpr std::array<std::size_t, layer_count + 1> parameter_offsets =
        offsets(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t parameter_count = parameter_offsets[layer_count];
    template <std::size_t I>
    static constexpr std::size_t layer_parameter_count = parameter_offsets[I + 1] - parameter_offsets[I];

    using parameter_tensor = Tensor<Shape<parameter_count>, T>;

    /// Layer I's parameter tensors as a type: `ParameterList<ParameterTensor<"weight", ...>, ...>`.
    template <std::size_t I>
    using layer_parameter_list = typename layer_impl<I>::parameters;
    /// Layer I's parameter tensors as values (ParameterInfo), offsets from the layer's start.
    template <std::size_t I>
    static constexpr auto layer_tensors = layer_parameter_list<I>::tensors;
    /// Every parameter tensor of the network, layer by layer, offsets into `parameters()` (and
    /// `gradients()`), each with its layer index. Together they cover the parameters exactly once.
    /// An optimizer reads `role` (state tensors are never updated) and `decays()` (weight decay).
    static constexpr auto parameter_tensors = tensors(std::make_index_sequence<layer_count>{});

    /// Where layer I's scratch memory starts (each layer keeps its own from forward to backward).
    static constexpr std::array<std::size_t, layer_count + 1> scratch_offsets =
        scratch_offsets_of(std::make_index_sequence<layer_count>{});
    /// The largest scratch any one layer needs: what Inference, which runs one layer at a time, keeps.
    static constexpr std::size_t largest_scratch_size = [] {
        std::size_t largest = 0;
        for (std::size_t i = 0; i < layer_count; ++i)
            largest = std::max(largest, scratch_offsets[i + 1] - scratch_offsets[i]);
        return largest;
    }();

private:
    struct storage {
        parameter_tensor parameters;
        parameter_tensor gradients;
        activations_type activations;  // [0] is the input, [i + 1] the output of layer i
        activations_type deltas;       // loss gradient w.r.t. activations[i]; [0] is left unused
        [[no_unique_address]] TensorStorage<scratch_offsets[layer_count], T> scratch;
    };
    using storage_type = std::conditional_t<valid, storage, detail::no_storage>;

    template <std::size_t... I>
    static constexpr std::size_t activation_bytes(std::index_sequence<I...>) {
        return (tensor_bytes<T>(table_::shapes[I].size()) + ...);
    }

public:
    /// The largest layer output, in values: the size of each of Inference's two buffers.
    static constexpr std::size_t largest_output_size = largest_output(std::make_index_sequence<layer_count>{});
    /// The exact bytes of this object: parameters, gradients, the input and every layer output,
    /// their gradients, and the layers' scratch (Conv2D's column matrices). Each tensor is
    /// rounded up to whole 64-byte lines; a parameter tensor of no values still takes one.
    static constexpr std::size_t training_bytes =
        2 * sizeof(parameter_tensor) + 2 * activation_bytes(std::make_index_sequence<layer_count + 1>{}) +
        tensor_bytes<T>(scratch_offsets[layer_count]);
    /// The exact bytes of `RomInference<Net, ...>`, which reads the parameters in place: two
    /// ping-pong buffers of the largest layer output and the largest scratch any one layer needs.
    /// The input is the caller's.
    static constexpr std::size_t ram_bytes =
        2 * tensor_bytes<T>(largest_output_size) + tensor_bytes<T>(largest_scratch_size);
    /// The exact bytes of the parameters as `export_header` stores them, unpadded: what
    /// `RomInference` reads from read-only memory (flash).
    static constexpr std::size_t flash_bytes = parameter_count * sizeof(T);
    /// The exact bytes of `Inference<Net>`: its own copy of the parameters, plus `ram_bytes`.
    static constexpr std::size_t inference_bytes = sizeof(parameter_tensor) + ram_bytes;

    constexpr BasicNetwork() = default;

    /// A Keras-style table of layers, shapes, parameters and bytes. Needs <typenet/viz/summary.hpp>.
    template <class Self = BasicNetwork>
    static std::string summary() {
        return detail::summary_table<Self>::text();
    }

    constexpr parameter_tensor& parameters() { return storage_.parameters; }
    constexpr const parameter_tensor& parameters() const { return storage_.parameters; }
    constexpr parameter_tensor& gradients() { return storage_.gradients; }
    constexpr const parameter_tensor& gradients() const { return storage_.gradients; }

    /// Layer I's parameters: its tensors one after another, as its `layer_tensors<I>` lists them.
    template <std::size_t I>
    constexpr std::span<T, layer_parameter_count<I>> layer_parameters() {
        return std::span<T, layer_parameter_count<I>>(storage_.parameters.data() + parameter_offsets[I],
                                                      layer_parameter_count<I>);
    }
    template <std::size_t I>
    constexpr std::span<T, layer_parameter_count<I>> layer_gradients() {
        return std::span<T, layer_parameter_count<I>>(storage_.gradients.data() + parameter_offsets[I],
                                                      layer_parameter_count<I>);
    }

    /// Layer I's parameter tensor called Name, e.g. `net.layer_tensor<0, "bias">()`.
    template <std::size_t I, ParameterName Name>
    constexpr auto layer_tensor() {
        using list = layer_parameter_list<I>;
        constexpr ParameterInfo tensor = list::tensors[list::index(Name.view())];
        return std::span<T, tensor.size>(storage_.parameters.data() + parameter_offsets[I] + tensor.offset, tensor.size);
    }

    /// The input of the last forward pass.
    constexpr const input_tensor& input() const { return activation<0>(); }
    /// The output of layer I from the last forward pass.
    template <std::size_t I>
    constexpr const Tensor<shape_type<I>, T>& output_of() const {
        return activation<I + 1>();
    }
    constexpr const output_tensor& output() const { return activation<layer_count>(); }

    /// Runs every layer, keeping each activation for `backward` and for inspection.
    constexpr const output_tensor& forward(const input_tensor& x) {
        activation<0>() = x;
        forward_layers(std::make_index_sequence<layer_count>{});
        return output();
    }

    /// Back-propagates `output_gradient` (d loss / d output) through the last forward pass and
    /// adds the parameter gradients to `gradients()`, so several samples can accumulate.
    constexpr void backward(const output_tensor& output_gradient) {
        backward<every_layer>(output_gradient);
    }

    /// Like backward, for training only the layers marked in `Trained` (an optimizer's
    /// `trained_layers`): stops at the first marked layer, so the layers before it get no
    /// gradients at all and that layer no input gradient. An unmarked layer after it still gets
    /// parameter gradients, since a layer computes them whenever it passes a gradient on.
    template <std::array<bool, layer_count> Trained>
    constexpr void backward(const output_tensor& output_gradient) {
        backward_layers<Trained>(output_gradient, std::make_index_sequence<layer_count>{});
    }

    constexpr void zero_gradients() { storage_.gradients.fill(T{}); }

private:
    template <std::size_t I>
    constexpr auto& activation() {
        return boost::hana::at_c<I>(storage_.activations);
    }
    template <std::size_t I>
    constexpr const auto& activation() const {
        return boost::hana::at_c<I>(storage_.activations);
    }
    template <std::size_t I>
    constexpr auto& delta() {
        return boost::hana::at_c<I>(storage_.deltas);
    }

    template <std::size_t... I>
    constexpr void forward_layers(std::index_sequence<I...>) {
        (detail::forward_layer<layer_impl<I>>(storage_.parameters.data() + parameter_offsets[I],
                                              std::as_const(activation<I>()).view(), activation<I + 1>().view(),
                                              storage_.scratch.data() + scratch_offsets[I]),
         ...);
    }
    static constexpr std::array<bool, layer_count> every_layer = [] {
        std::array<bool, layer_count> all{};
        all.fill(true);
        return all;
    }();

    template <std::array<bool, layer_count> Trained, std::size_t... R>
    constexpr void backward_layers(const output_tensor& output_gradient, std::index_sequence<R...>) {
        (backward_layer<Trained, layer_count - 1 - R>(output_gradient), ...);
    }

    template <std::array<bool, layer_count> Trained, std::size_t I>
    constexpr void backward_layer(const output_tensor& output_gradient) {
        constexpr std::size_t first = std::size_t(std::find(Trained.begin(), Trained.end(), true) - Trained.begin());
        if constexpr (I >= first) {
            const auto dy = [&]() -> TensorView<shape_type<I>, const T> {
                if constexpr (I + 1 == layer_count)
                    return output_gradient.view();
                else
                    return std::as_const(delta<I + 1>()).view();
            }();
            // No layer before the first trained one needs this layer's input gradient.
            detail::backward_layer<layer_impl<I>, (I > first)>(
                storage_.parameters.data() + parameter_offsets[I], storage_.gradients.data() + parameter_offsets[I],
                std::as_const(activation<I>()).view(), std::as_const(activation<I + 1>()).view(), dy,
                delta<I>().view(), std::as_const(storage_.scratch).data() + scratch_offsets[I]);
        }
    }

    storage_type storage_{};

    static_assert(!valid || sizeof(storage_type) == training_bytes,
                  "typenet: internal error: training_bytes does not match the network's storage");
};

/// A network of float parameters: `Network<Input<1, 28, 28>, Conv2D<8>, ReLU, Flatten, Dense<10>>`.
template <class InputSpec, class... Layers>
using Network = BasicNetwork<float, InputSpec, Layers...>;

}  // namespace typenet
