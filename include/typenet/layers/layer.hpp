// The layer contract: what a layer description and a bound layer provide, and their typed parameter lists.
//
// A layer is two things. Its *description* (`Conv2D<8, Kernel<3>>`) is what the user writes in a
// network; it has a `kind`, its `settings`, a `propagate` function from input shape to output shape
// (or a Problem), and a member template `bound<InputShape, T>`. The *bound layer* is that template
// instantiated for the shape the network computed: it names its input and output shapes, lists its
// parameter tensors, asks for scratch memory if it needs some, and runs forward and backward.
// Each requirement is a small concept below, so a type that misses one is told which.
// A layer written outside the library needs nothing else: see examples/user_layer/scale.hpp.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typenet/parallel.hpp>
#include <typenet/shape.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

// === shape propagation ==========================================================================

/// What a layer can find wrong with the shape it is given; the network's check of that layer
/// turns it into a compile error naming the layer's index, type and input shape.
enum class Problem {
    none,
    needs_image_input,      ///< Conv2D and pooling want channels x height x width
    needs_flat_input,       ///< Dense wants a vector: put Flatten before it
    window_too_large,       ///< kernel or pooling window larger than the (padded) input
    zero_size,              ///< a zero filter count, unit count, kernel, window or stride
    same_needs_odd_kernel,  ///< "same" padding is only symmetric for odd kernels
    unsupported_input,      ///< anything else a layer rejects, e.g. a channel count other than its own
    inside_block,           ///< a layer inside this block rejects its input; that layer's own check names it
    body_changes_shape,     ///< a Residual whose body's output shape differs from its input, without a Shortcut
    branches_differ,        ///< Concat branches whose outputs differ in rank or in height and width
};

/// A layer's verdict on an input shape: its output shape, or the problem.
struct LayerResult {
    Problem problem = Problem::none;
    ShapeValue output = detail::invalid_shape;
};

/// `propagate` returns `accept(output_shape)` ...
constexpr LayerResult accept(ShapeValue output) { return {Problem::none, output}; }
/// ... or `reject(problem)`.
constexpr LayerResult reject(Problem problem) { return {problem, detail::invalid_shape}; }

/// One named option of a layer, as listed in the layer's `settings`: everything that decides
/// what its parameters mean (checked when weights are loaded), after defaults are resolved.
using LayerSetting = std::pair<std::string_view, std::intmax_t>;

// === typed parameter lists ======================================================================

/// How `initialize` fills a parameter tensor.
enum class InitRule {
    fan_scaled,  ///< drawn by the Init scheme given to initialize(), scaled by the tensor's fans
    zeros,       ///< biases, shifts, running means
    ones,        ///< scales, running variances
};

/// What changes a parameter tensor.
enum class Role {
    trained,  ///< updated by the optimizer from its gradient
    state,    ///< saved with the weights but never updated by an optimizer (a running mean);
              ///< the layer itself maintains it, and its gradient stays zero
};

/// Whether an optimizer's weight decay (L2 penalty) applies to a trained tensor: to weights yes,
/// to biases and scales no (decaying them toward zero only biases the fit).
enum class WeightDecay { applies, exempt };

/// A parameter tensor's name as a template argument: `ParameterTensor<"weight", ...>`.
template <std::size_t N>
struct ParameterName {
    char chars[N]{};
    constexpr ParameterName(const char (&text)[N]) { std::copy_n(text, N, chars); }
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

/// Where a layer sits in a network: its index among the network's layers, then its index in each
/// block it is inside (`3.0.2`: layer 2 of the body of the Residual at layer 3). Blocks nest at
/// most `max_depth` deep.
struct LayerPath {
    static constexpr std::size_t max_depth = 8;
    std::array<std::uint16_t, max_depth> index{};
    std::size_t depth = 0;

    /// This path with `i` appended: the path of child i of the layer at this path.
    constexpr LayerPath child(std::size_t i) const {
        LayerPath result = *this;
        if (depth < max_depth) result.index[result.depth++] = static_cast<std::uint16_t>(i);
        return result;
    }
    constexpr bool operator==(const LayerPath&) const = default;
};

/// One parameter tensor as a value, so that init, optimizers, files and summary() can loop over
/// a layer's or a network's tensors, at compile time or at run time.
struct ParameterInfo {
    std::string_view name;
    ShapeValue shape;
    std::size_t size = 0;
    /// Where the tensor starts: within its layer's parameters in `ParameterList::tensors` and
    /// `Net::layer_tensors<I>`, within the whole `Net::parameters()` in `Net::parameter_tensors`.
    std::size_t offset = 0;
    /// The network layer holding the tensor, directly or inside a block; meaningful in
    /// `Net::parameter_tensors` only.
    std::size_t layer = 0;
    /// The kind of the layer that declares the tensor (inside a block: the inner layer's, e.g.
    /// "Conv2D"), and its path; filled in by blocks and by `Net::parameter_tensors`.
    std::string_view kind{};
    LayerPath path{};
    /// As PyTorch counts them for a tensor of shape [outputs][inputs][kernel...]: inputs x kernel
    /// area, outputs x kernel area. Zero for tensors of rank below 2.
    std::size_t fan_in = 0, fan_out = 0;
    InitRule init = InitRule::zeros;
    Role role = Role::trained;
    WeightDecay weight_decay = WeightDecay::exempt;

    /// True when an optimizer's weight decay should pull this tensor toward zero.
    constexpr bool decays() const { return role == Role::trained && weight_decay == WeightDecay::applies; }
};

namespace detail {

template <class S>
constexpr std::size_t receptive_field() {
    std::size_t area = 1;
    for (std::size_t d = 2; d < S::rank; ++d) area *= S::dims[d];
    return area;
}

}  // namespace detail

/// One parameter tensor of a bound layer: its name, shape, how it starts, what updates it, and
/// whether weight decay applies. State tensors are never decayed.
/// `ParameterTensor<"bias", Shape<8>, InitRule::zeros, Role::trained, WeightDecay::exempt>`
template <ParameterName Name, class S, InitRule Init, Role R = Role::trained,
          WeightDecay Decay = R == Role::trained ? WeightDecay::applies : WeightDecay::exempt>
struct ParameterTensor {
    static_assert(is_shape<S>, "typenet: a ParameterTensor's shape must be a Shape<...>");
    static_assert(S::rank <= ShapeValue::max_rank, "typenet: parameter tensors have at most 4 dimensions");
    static_assert(Init != InitRule::fan_scaled || S::rank >= 2,
                  "typenet: InitRule::fan_scaled needs a tensor shaped [outputs][inputs][kernel...] (rank 2 "
                  "or more), from which it takes the fans");
    static_assert(R == Role::trained || Decay == WeightDecay::exempt,
                  "typenet: weight decay applies only to trained tensors, not to state");

    using shape = S;
    static constexpr std::size_t size = S::size;
    static constexpr auto name = Name;
    static constexpr ParameterInfo info{name.view(),
                                        detail::shape_value<S>(),
                                        S::size,
                                        0,
                                        0,
                                        {},
                                        {},
                                        S::rank >= 2 ? S::dims[1] * detail::receptive_field<S>() : 0,
                                        S::rank >= 2 ? S::dims[0] * detail::receptive_field<S>() : 0,
                                        Init,
                                        R,
                                        Decay};
};

namespace detail {

template <class T>
inline constexpr bool is_parameter_tensor = false;
template <ParameterName Name, class S, InitRule Init, Role R, WeightDecay Decay>
inline constexpr bool is_parameter_tensor<ParameterTensor<Name, S, Init, R, Decay>> = true;

/// The K-th type of a pack; lists hold a few tensors, so recursion stays shallow (and <tuple>,
/// which costs every translation unit memory, stays out).
template <std::size_t K, class... Types>
struct nth_type;
template <std::size_t K, class First, class... Rest>
struct nth_type<K, First, Rest...> {
    using type = typename nth_type<K - 1, Rest...>::type;
};
template <class First, class... Rest>
struct nth_type<0, First, Rest...> {
    using type = First;
};

/// Stands in for the index of a name the list does not hold; being no constant expression, a
/// call to it makes `ParameterList::index("typo")` a compile error that names it.
inline std::size_t no_parameter_tensor_has_this_name() { return 0; }

}  // namespace detail

/// A bound layer's parameter tensors, stored one after another in this order:
/// `ParameterList<ParameterTensor<"weight", ...>, ParameterTensor<"bias", ...>>`.
template <class... Tensors>
struct ParameterList {
    static_assert((detail::is_parameter_tensor<Tensors> && ...),
                  "typenet: ParameterList<...> takes ParameterTensor<...> entries only");

    static constexpr std::size_t tensor_count = sizeof...(Tensors);
    /// Values in all tensors together: the layer's share of `Net::parameters()`.
    static constexpr std::size_t size = (std::size_t{0} + ... + Tensors::size);
    /// Every tensor, in storage order, with its offset from the start of the list.
    static constexpr std::array<ParameterInfo, tensor_count> tensors = [] {
        std::array<ParameterInfo, tensor_count> result{Tensors::info...};
        std::size_t offset = 0;
        for (auto& tensor : result) {
            tensor.offset = offset;
            offset += tensor.size;
        }
        return result;
    }();
    /// Tensor K as a type, e.g. for its `shape`.
    template <std::size_t K>
    using tensor = typename detail::nth_type<K, Tensors...>::type;

    /// The position of the tensor called `name`; a compile error if there is none.
    static consteval std::size_t index(std::string_view name) {
        for (std::size_t k = 0; k < tensor_count; ++k)
            if (tensors[k].name == name) return k;
        return detail::no_parameter_tensor_has_this_name();
    }
    /// Where the tensor called `name` starts: `params + parameters::offset("bias")`.
    static consteval std::size_t offset(std::string_view name) { return tensors[index(name)].offset; }

private:
    static constexpr bool names_unique = [] {
        for (std::size_t a = 0; a < tensor_count; ++a)
            for (std::size_t b = a + 1; b < tensor_count; ++b)
                if (tensors[a].name == tensors[b].name) return false;
        return true;
    }();
    static_assert(names_unique, "typenet: two parameter tensors of a layer have the same name");
};

namespace detail {

template <class T>
inline constexpr bool is_parameter_list = false;
template <class... Tensors>
inline constexpr bool is_parameter_list<ParameterList<Tensors...>> = true;

}  // namespace detail

// === the concepts ===============================================================================

/// `static constexpr std::string_view kind = "Conv2D";`: the name summary(), the weights file
/// and `for_layers<"Conv2D">` use.
template <class L>
concept NamedLayer = requires {
    { L::kind } -> std::convertible_to<std::string_view>;
};

/// `static constexpr std::array<LayerSetting, N> settings`: every option that decides what the
/// layer's parameters mean, in a fixed order (an empty array for none).
template <class L>
concept ConfiguredLayer = requires {
    requires std::same_as<std::remove_cvref_t<decltype(L::settings)>, std::array<LayerSetting, L::settings.size()>>;
};

/// `static constexpr LayerResult propagate(ShapeValue input)`: the output shape for an input
/// shape, or the Problem with it. Called while the network type is compiled.
template <class L>
concept ShapePropagating = requires(ShapeValue input) {
    { L::propagate(input) } -> std::same_as<LayerResult>;
};

/// `template <class InputShape, class T> struct bound`: the layer's code for one input shape
/// and scalar type (see BoundLayer).
template <class L>
concept Bindable = requires { typename L::template bound<Shape<1>, float>; };

/// What a network's layer list holds: `LayerDescription<Conv2D<8, Kernel<3>>>`.
template <class L>
concept LayerDescription = NamedLayer<L> && ConfiguredLayer<L> && ShapePropagating<L> && Bindable<L>;

/// A ParameterList<...>, or what a block lists for the layers inside it: `size` values in
/// `tensor_count` tensors, described by `tensors` (an array of ParameterInfo, offsets from the
/// start of the list).
template <class P>
concept ParameterTensorList = detail::is_parameter_list<P> || requires {
    { P::size } -> std::convertible_to<std::size_t>;
    { P::tensor_count } -> std::convertible_to<std::size_t>;
    requires std::same_as<std::remove_cvref_t<decltype(P::tensors)>, std::array<ParameterInfo, P::tensor_count>>;
};

/// Values of scratch memory a bound layer asks for with `static constexpr std::size_t
/// scratch_size` (Conv2D: its column matrix, or at stride 1 shifted copies of its input), 0 if it
/// declares none. The network keeps each layer's scratch from forward to backward.
template <class B>
inline constexpr std::size_t scratch_size_of = 0;
template <class B>
    requires requires { B::scratch_size; }
inline constexpr std::size_t scratch_size_of<B> = B::scratch_size;

/// `using input_shape = InputShape; using output_shape = Shape<...>;`
template <class B>
concept ShapedLayer = requires {
    typename B::input_shape;
    typename B::output_shape;
    requires is_shape<typename B::input_shape> && is_shape<typename B::output_shape>;
};

/// `using parameters = ParameterList<...>;` (`ParameterList<>` for none).
template <class B>
concept ParameterizedLayer = requires {
    typename B::parameters;
    requires ParameterTensorList<typename B::parameters>;
};

namespace detail {

template <class B, class T>
concept forwards_without_scratch = requires(const T* params, TensorView<typename B::input_shape, const T> x,
                                            TensorView<typename B::output_shape, T> y) { B::forward(params, x, y); };
template <class B, class T>
concept forwards_with_scratch =
    requires(const T* params, TensorView<typename B::input_shape, const T> x, TensorView<typename B::output_shape, T> y,
             T* scratch) { B::forward(params, x, y, scratch); };

template <class B, class T>
concept backwards_without_scratch =
    requires(const T* params, T* grads, TensorView<typename B::input_shape, const T> x,
             TensorView<typename B::output_shape, const T> y, TensorView<typename B::input_shape, T> dx) {
        B::template backward<true>(params, grads, x, y, y, dx);
        B::template backward<false>(params, grads, x, y, y, dx);
    };
template <class B, class T>
concept backwards_with_scratch =
    requires(const T* params, T* grads, TensorView<typename B::input_shape, const T> x,
             TensorView<typename B::output_shape, const T> y, TensorView<typename B::input_shape, T> dx,
             const T* scratch) {
        B::template backward<true>(params, grads, x, y, y, dx, scratch);
        B::template backward<false>(params, grads, x, y, y, dx, scratch);
    };

}  // namespace detail

/// `static void forward(const T* params, TensorView<input_shape, const T> x,
/// TensorView<output_shape, T> y [, T* scratch])`: `params` points at the layer's parameters,
/// laid out as its ParameterList says; `scratch` is passed only when scratch_size_of<B> > 0.
template <class B, class T>
concept ForwardLayer = ShapedLayer<B> && ((scratch_size_of<B> == 0 && detail::forwards_without_scratch<B, T>) ||
                                          (scratch_size_of<B> > 0 && detail::forwards_with_scratch<B, T>));

/// Optional: `static void infer(const T* params, x, y, T* scratch)`, which inference (Inference,
/// RomInference, blocks' per-sample forward) runs instead of `forward`. It gives the same output
/// but need not leave in `scratch` what backward reads: Conv2D at stride 1 reads its taps from a
/// padded copy of the input instead of building the column matrix.
template <class B, class T>
concept InferenceLayer = ForwardLayer<B, T> &&
                         requires(const T* params, TensorView<typename B::input_shape, const T> x,
                                  TensorView<typename B::output_shape, T> y, T* scratch) { B::infer(params, x, y, scratch); };

// === modes and batched passes ===================================================================

/// Training uses batch statistics and random masks (BatchNorm, Dropout); evaluation, what
/// `forward(x)`, `Inference` and `RomInference` run, uses running statistics and no masks.
/// Calibration (`Trainer::recalibrate`) trains nothing: layers with running statistics use the
/// batch's and replace the running ones by their mean over every calibration pass; no masks.
/// Inference is evaluation that no backward pass follows, so layers may skip what only backward
/// reads (Conv2D's column matrix): for batched predictions, and what `evaluate` runs.
enum class Mode { training, evaluation, calibration, inference };

/// What a batched pass tells each layer.
struct PassContext {
    Mode mode = Mode::evaluation;
    /// Differs for every training step, so that Dropout draws fresh masks from it, the same ones
    /// for the same seed: a step is reproducible.
    std::uint64_t seed = 0;
    /// How many of the batch's B samples hold data, from the first: a last, partial batch has
    /// fewer. Layers read and write only those (BatchNorm takes its statistics over them).
    std::size_t samples = std::numeric_limits<std::size_t>::max();
    /// Threads for the layers that run sample by sample; none: the calling thread does all.
    const Parallel* parallel = nullptr;
    /// In calibration: the samples of the earlier calibration passes, which this one's statistics
    /// are averaged with (0: the first pass, whose statistics replace the running ones).
    std::size_t calibrated = 0;
};

namespace detail {

/// Whether work over `count` items is split over the context's threads.
constexpr bool splits(const PassContext& context, std::size_t count) {
    return !std::is_constant_evaluated() && context.parallel != nullptr && context.parallel->parts() > 1 && count > 1;
}

/// Calls `work(first, last)` for [0, count), split over the context's threads when it has more
/// than one and there is more than one item; else on the calling thread. For loops whose
/// iterations write disjoint values (samples, BatchNorm's channels), so the result is the same
/// bits however many threads share it.
template <class Work>
constexpr void share_out(const PassContext& context, std::size_t count, const Work& work) {
    if (splits(context, count))
        for_each_part(*context.parallel, count, [&](std::size_t, std::size_t first, std::size_t last) { work(first, last); });
    else
        work(std::size_t{0}, count);
}

}  // namespace detail

/// How many samples of a batch of B a layer handles in this pass.
template <std::size_t B>
constexpr std::size_t samples_in(const PassContext& context) {
    return context.samples < B ? context.samples : B;
}

namespace detail {

template <class B, class T>
concept forwards_batches = requires(const PassContext& context, T* params,
                                    BatchView<typename B::input_shape, 2, const T> x,
                                    BatchView<typename B::output_shape, 2, T> y, T* scratch) {
    B::template forward_batch<2>(context, params, x, y, scratch);
};
template <class B, class T>
concept backwards_batches =
    requires(const PassContext& context, const T* params, T* grads, BatchView<typename B::input_shape, 2, const T> x,
             BatchView<typename B::output_shape, 2, const T> y, BatchView<typename B::input_shape, 2, T> dx,
             T* scratch) {
        B::template backward_batch<true, 2>(context, params, grads, x, y, y, dx, scratch);
        B::template backward_batch<false, 2>(context, params, grads, x, y, y, dx, scratch);
    };

}  // namespace detail

/// A layer that needs the whole batch at once, or behaves differently in training, provides
/// both of these besides its per-sample `forward` (which is then its evaluation mode, what
/// inference runs):
///
///     template <std::size_t B>
///     static void forward_batch(const PassContext&, T* params, BatchView<input_shape, B, const T> x,
///                               BatchView<output_shape, B, T> y, T* scratch);
///     template <bool InputGradient, std::size_t B>
///     static void backward_batch(const PassContext&, const T* params, T* grads, x, y, dy, dx,
///                                T* scratch);
///
/// `params` is writable in forward_batch only for the layer's Role::state tensors (BatchNorm's
/// running statistics, updated in training mode). `scratch` holds B times `scratch_size` values
/// (nullptr for none), laid out as the layer likes, kept from forward_batch to backward_batch
/// (which may write it: a block keeps its inner gradients there). Both handle only the first
/// `samples_in<B>(context)` samples.
/// The network runs every other layer over a batch one sample at a time.
template <class B, class T>
concept BatchedLayer = ShapedLayer<B> && detail::forwards_batches<B, T> && detail::backwards_batches<B, T>;

/// In Mode::inference every layer runs sample by sample through its evaluation mode, as
/// Inference::predict runs it, each sample through consecutive layers before the next, unless
/// it is a batched layer whose forward_batch is faster there too, which says so with
/// `static constexpr bool batches_in_inference = true;` (Dense: the samples share the reads of
/// each weight row).
template <class B, class T>
concept BatchesInInference = BatchedLayer<B, T> && requires {
    requires B::batches_in_inference;
};

/// `template <bool InputGradient> static void backward(const T* params, T* grads, x, y, dy, dx
/// [, const T* scratch])`: adds the parameter gradients to `grads` (laid out like `params`) and,
/// when InputGradient, overwrites `dx` with the input gradient; x, y and scratch are what the
/// last forward saw and left, dy the gradient of the output.
/// A BatchedLayer needs no per-sample backward.
template <class B, class T>
concept BackwardLayer = ShapedLayer<B> && ((scratch_size_of<B> == 0 && detail::backwards_without_scratch<B, T>) ||
                                           (scratch_size_of<B> > 0 && detail::backwards_with_scratch<B, T>) ||
                                           BatchedLayer<B, T>);

/// A layer description bound to its input shape and scalar type T, as the network runs it:
/// `BoundLayer<Conv2D<8>::bound<Shape<1, 28, 28>, float>, float>`. It processes one sample, or,
/// as a BatchedLayer, a whole batch.
template <class B, class T>
concept BoundLayer = ShapedLayer<B> && ParameterizedLayer<B> && ForwardLayer<B, T> && BackwardLayer<B, T>;

/// Base for the bound layers of parameter-free layers (activations, pooling, Flatten).
struct NoParameters {
    using parameters = ParameterList<>;
    static constexpr std::size_t parameter_count = 0;
};

namespace detail {
// The names the library's layers have always used.
using typenet::accept;
using typenet::LayerResult;
using typenet::LayerSetting;
using typenet::Problem;
using typenet::reject;
}  // namespace detail

}  // namespace typenet
