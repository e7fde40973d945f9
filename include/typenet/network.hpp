// Network<Input<...>, Layers...>: shape propagation, per-layer checks, storage, forward and backward.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <typenet/detail/chain.hpp>
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

template <class Table, class Layers, class Indices>
struct layer_checks;
template <class Table, class... Layers, std::size_t... I>
struct layer_checks<Table, boost::hana::basic_tuple<Layers...>, std::index_sequence<I...>> {
    static constexpr bool ok = (layer_check<layer_path<layer_at<I, Layers>>, table_shape<Table, I>>::ok && ...);
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
        (bound_layer_check<layer_path<layer_at<I, Layers>>, table_shape<Table, I>, table_shape<Table, I + 1>, T>::ok &&
         ...);
};

/// Formats a network's summary table; defined in <typenet/viz/summary.hpp>, which uses fmt,
/// so the core stays free of it.
template <class Net>
struct summary_table;

/// Stands in for the chain of a network that failed its checks, so that no layer is
/// instantiated with a shape it rejected (which would bury the real error under others).
template <std::size_t N>
struct invalid_chain {
    static constexpr std::array<std::size_t, N + 1> parameter_offsets{};
    static constexpr std::size_t parameter_count = 0;
    static constexpr std::array<ParameterInfo, 0> tensors{};
    static constexpr std::size_t largest_scratch = 0;
    template <std::size_t B>
    static constexpr std::size_t work_size = 0;
};

/// Stands in for the storage of a network that failed its checks.
struct no_storage {};

/// A batch of B samples as one tensor; a single sample keeps its shape.
template <class S, std::size_t B>
using batch_shape = std::conditional_t<B == 1, S, Shape<B * S::size>>;

}  // namespace detail

/// A feed-forward network whose layer shapes are all computed and checked at compile time.
/// Holds parameters, gradients, and every activation and scratch value of one sample by value:
/// no heap, and `sizeof` is the whole memory story. Training runs it over a `Batch<B>`, every
/// layer once over all B samples. See examples/declare_network.cpp.
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

    /// Every layer marked as trained: what backward does by default.
    static constexpr std::array<bool, layer_count> every_layer = [] {
        std::array<bool, layer_count> all{};
        all.fill(true);
        return all;
    }();

    /// True when every layer is a LayerDescription that accepts its input and binds to a
    /// BoundLayer, inside blocks too; otherwise the failing layer's check has already stopped
    /// compilation with its path, type and input shape.
    static constexpr bool valid =
        detail::bound_layer_checks<detail::layer_checks<table_, layer_tuple_, std::index_sequence_for<Layers...>>::ok,
                                   T, table_, layer_tuple_, std::index_sequence_for<Layers...>>::ok;

private:
    // Evaluates the checks first thing, so a failing one is reported from here, right under the
    // user's code, instead of from deep inside the parameter bookkeeping below.
    using checked_ = std::bool_constant<valid>;
    using chain_ = std::conditional_t<valid, detail::Chain<T, typename InputSpec::shape, Layers...>,
                                      detail::invalid_chain<layer_count>>;

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

    /// Where layer I's parameters start in `parameters()`; the last entry is the total.
    static constexpr std::array<std::size_t, layer_count + 1> parameter_offsets = chain_::parameter_offsets;
    static constexpr std::size_t parameter_count = parameter_offsets[layer_count];
    template <std::size_t I>
    static constexpr std::size_t layer_parameter_count = parameter_offsets[I + 1] - parameter_offsets[I];

    using parameter_tensor = Tensor<Shape<parameter_count>, T>;

    /// Layer I's parameter tensors as a type: `ParameterList<ParameterTensor<"weight", ...>, ...>`
    /// (a block lists those of its layers, under their paths).
    template <std::size_t I>
    using layer_parameter_list = typename layer_impl<I>::parameters;
    /// Layer I's parameter tensors as values (ParameterInfo), offsets from the layer's start.
    template <std::size_t I>
    static constexpr auto layer_tensors = layer_parameter_list<I>::tensors;
    /// Every parameter tensor of the network, layers inside blocks included, offsets into
    /// `parameters()` (and `gradients()`), each with its layer index, kind and path. Together they
    /// cover the parameters exactly once. An optimizer reads `role` (state tensors are never
    /// updated), `decays()` (weight decay) and `kind` and `layer` (its groups).
    static constexpr auto parameter_tensors = chain_::tensors;

    /// The largest scratch any one layer needs: what Inference, which runs one layer at a time, keeps.
    static constexpr std::size_t largest_scratch_size = chain_::largest_scratch;
    /// The largest layer output, in values: the size of each of Inference's two buffers.
    static constexpr std::size_t largest_output_size = [] {
        std::size_t largest = 0;
        for (std::size_t i = 1; i <= layer_count; ++i) largest = std::max(largest, table_::shapes[i].size());
        return largest;
    }();

    /// The memory of one pass over B samples: their inputs, outputs and output gradients, every
    /// layer's outputs and their gradients, and every layer's scratch, with the pass's mode.
    /// A Trainer allocates one when it is made; nothing is allocated afterwards.
    template <std::size_t B>
    struct Batch {
        static_assert(B > 0, "typenet: a batch holds at least one sample");
        Tensor<detail::batch_shape<input_shape_type, B>, T> inputs{};
        Tensor<detail::batch_shape<output_shape_type, B>, T> outputs{};
        Tensor<detail::batch_shape<output_shape_type, B>, T> output_gradients{};
        [[no_unique_address]] TensorStorage<chain_::template work_size<B>, T> work{};
        PassContext context{};

        constexpr BatchView<input_shape_type, B, T> input_batch() { return {inputs.data()}; }
        constexpr BatchView<output_shape_type, B, T> output_batch() { return {outputs.data()}; }
        constexpr BatchView<output_shape_type, B, T> output_gradient_batch() { return {output_gradients.data()}; }
    };
    /// The exact bytes of `Batch<B>`: each tensor rounded up to whole 64-byte lines, the pass's
    /// context on a line of its own.
    template <std::size_t B>
    static constexpr std::size_t batch_bytes = 2 * tensor_bytes<T>(B * output_shape_type::size) +
                                               tensor_bytes<T>(B * input_shape_type::size) +
                                               tensor_bytes<T>(chain_::template work_size<B>) +
                                               tensor_bytes<char>(sizeof(PassContext));

private:
    struct storage {
        parameter_tensor parameters;
        parameter_tensor gradients;
        Batch<1> pass;  // what forward(x) and backward(g) use
    };
    using storage_type = std::conditional_t<valid, storage, detail::no_storage>;

public:
    /// The exact bytes of this object: parameters, gradients and one sample's Batch<1>. Each
    /// tensor is rounded up to whole 64-byte lines; a parameter tensor of no values still takes one.
    static constexpr std::size_t training_bytes = 2 * sizeof(parameter_tensor) + batch_bytes<1>;
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
    constexpr const input_tensor& input() const { return storage_.pass.inputs; }
    /// The output of layer I from the last forward pass.
    template <std::size_t I>
    constexpr TensorView<shape_type<I>, const T> output_of() const {
        if constexpr (I + 1 == layer_count)
            return storage_.pass.outputs.view();
        else
            return chain_::template output_in<I, 1>(storage_.pass.work.data())[0];
    }
    constexpr const output_tensor& output() const { return storage_.pass.outputs; }

    /// Runs every layer on one sample in evaluation mode (as evaluate and inference do), keeping
    /// each activation for `backward` and for inspection.
    constexpr const output_tensor& forward(const input_tensor& x) {
        storage_.pass.inputs = x;
        forward(storage_.pass, Mode::evaluation);
        return output();
    }

    /// Back-propagates `output_gradient` (d loss / d output) through the last forward(x) and adds
    /// the parameter gradients to `gradients()`, so several samples can accumulate.
    constexpr void backward(const output_tensor& output_gradient) { backward<every_layer>(output_gradient); }

    /// Like backward, for training only the layers marked in `Trained` (an optimizer's
    /// `trained_layers`): stops at the first marked layer, so the layers before it get no
    /// gradients at all and that layer no input gradient. An unmarked layer after it still gets
    /// parameter gradients, since a layer computes them whenever it passes a gradient on.
    template <std::array<bool, layer_count> Trained>
    constexpr void backward(const output_tensor& output_gradient) {
        backward_pass<Trained, 1>(storage_.pass, output_gradient.data());
    }

    /// Runs every layer once over the batch's first `samples` inputs, in `mode`; `seed` draws
    /// Dropout's masks. In training mode BatchNorm uses the batch's statistics and updates its
    /// running ones. With `parallel`, the layers that run sample by sample share the samples out
    /// over its threads, in this pass and in the backward pass that follows.
    template <std::size_t B>
    constexpr void forward(Batch<B>& batch, Mode mode, std::uint64_t seed = 0, std::size_t samples = B,
                           const Parallel* parallel = nullptr) {
        forward(batch, PassContext{mode, seed, samples, parallel});
    }
    /// The same, with every field of the pass's context given (calibration needs them all).
    template <std::size_t B>
    constexpr void forward(Batch<B>& batch, const PassContext& context) {
        batch.context = context;
        chain_::template forward_batch<B>(batch.context, storage_.parameters.data(), BatchView<input_shape_type, B, const T>{batch.inputs.data()},
                                          batch.output_batch(), batch.work.data());
    }

    /// Back-propagates the batch's output gradients through its last forward pass, adding the
    /// parameter gradients of all its samples to `gradients()`; stops at the first layer marked
    /// in `Trained`, as backward(g) does.
    template <std::array<bool, layer_count> Trained = every_layer, std::size_t B>
    constexpr void backward(Batch<B>& batch) {
        backward_pass<Trained, B>(batch, batch.output_gradients.data());
    }

    constexpr void zero_gradients() { storage_.gradients.fill(T{}); }

private:
    template <std::array<bool, layer_count> Trained, std::size_t B>
    constexpr void backward_pass(Batch<B>& batch, const T* output_gradient) {
        constexpr std::size_t first = std::size_t(std::find(Trained.begin(), Trained.end(), true) - Trained.begin());
        if constexpr (first < layer_count)
            chain_::template backward_batch<false, B, first>(
                batch.context, storage_.parameters.data(), storage_.gradients.data(),
                BatchView<input_shape_type, B, const T>{batch.inputs.data()},
                BatchView<output_shape_type, B, const T>{batch.outputs.data()},
                BatchView<output_shape_type, B, const T>{output_gradient}, BatchView<input_shape_type, B, T>{},
                batch.work.data());
    }

    storage_type storage_{};

    static_assert(!valid || sizeof(storage_type) == training_bytes,
                  "typenet: internal error: training_bytes does not match the network's storage");
};

/// A network of float parameters: `Network<Input<1, 28, 28>, Conv2D<8>, ReLU, Flatten, Dense<10>>`.
template <class InputSpec, class... Layers>
using Network = BasicNetwork<float, InputSpec, Layers...>;

}  // namespace typenet
