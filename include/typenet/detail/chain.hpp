// Chain<T, InputShape, Layers...>: layers run one after another, over a batch; the network and every block use it.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include <typenet/detail/constant_evaluation.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/shape.hpp>
#include <typenet/tensor.hpp>

namespace typenet::detail {

/// The layers inside a block, as a type: what the network's checks walk with paths.
template <class... Layers>
struct layer_list {
    static constexpr std::size_t size = sizeof...(Layers);
};

/// Every intermediate shape (index 0 is the input, i + 1 the output of layer i) and the
/// problem each layer found. Computed by a loop, so depth does not grow with the layer count.
template <std::size_t N>
struct Propagation {
    std::array<ShapeValue, N + 1> shapes{};
    std::array<Problem, N> problems{};

    constexpr bool ok() const {
        for (const Problem p : problems)
            if (p != Problem::none) return false;
        return shapes[N].valid;
    }
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
        r.problems[i] = Problem::unsupported_input;
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

/// The shapes and problems of a chain, as a type so they can be read at compile time.
template <class InputShape, class... Layers>
struct shape_table {
    static constexpr Propagation<sizeof...(Layers)> propagation = propagate<Layers...>(shape_value<InputShape>());
    static constexpr auto shapes = propagation.shapes;
};

template <class Table, std::size_t I>
using table_shape = typename shape_from_table<Table, I>::type;

/// Values of `T` in one 64-byte line: work areas start on lines, like tensors.
template <class T>
constexpr std::size_t round_to_lines(std::size_t values) {
    constexpr std::size_t per_line = tensor_alignment / sizeof(T) > 0 ? tensor_alignment / sizeof(T) : 1;
    return (values + per_line - 1) / per_line * per_line;
}

/// Runs a bound layer that works sample by sample forward on one sample, with its scratch.
/// Not inlined, nor forward_sample_of: a layer's kernels are then compiled once rather than into
/// every batch size's stretches (examples/mnist_lenet.cpp: 20.3 to 19.5 s), and what GCC inlines
/// into them no longer depends on the rest of the program (LeNet-5's latency measured 14.0 us
/// alone and 15.3 us in the benchmark runner).
template <class Impl, class T>
[[gnu::noinline]] constexpr void forward_one(const T* params, TensorView<typename Impl::input_shape, const T> x,
                                             TensorView<typename Impl::output_shape, T> y, T* scratch) {
    if constexpr (scratch_size_of<Impl> > 0)
        Impl::forward(params, x, y, scratch);
    else
        Impl::forward(params, x, y);
}

/// Runs a bound layer forward over a batch: its own forward_batch, or sample by sample, the
/// samples shared out over the context's threads.
template <class Impl, std::size_t B, class T>
constexpr void forward_batch_of(const PassContext& context, T* params, BatchView<typename Impl::input_shape, B, const T> x,
                                BatchView<typename Impl::output_shape, B, T> y, T* scratch) {
    if constexpr (BatchedLayer<Impl, T>) {
        Impl::template forward_batch<B>(context, params, x, y, scratch);
    } else {
        share_out(context, samples_in<B>(context), [&](std::size_t first, std::size_t last) {
            for (std::size_t b = first; b < last; ++b)
                forward_one<Impl>(params, x[b], y[b], scratch + b * scratch_size_of<Impl>);
        });
    }
}

/// Runs a bound layer backward over a batch: its own backward_batch, or sample by sample. Split
/// over threads, each part but the first adds its parameter gradients up in a buffer of its own,
/// and the buffers are added to `grads` in part order, so a thread count gives the same bits
/// every run.
template <class Impl, bool InputGradient, std::size_t B, class T>
constexpr void backward_batch_of(const PassContext& context, const T* params, T* grads,
                                 BatchView<typename Impl::input_shape, B, const T> x,
                                 BatchView<typename Impl::output_shape, B, const T> y,
                                 BatchView<typename Impl::output_shape, B, const T> dy,
                                 BatchView<typename Impl::input_shape, B, T> dx, T* scratch) {
    if constexpr (BatchedLayer<Impl, T>) {
        Impl::template backward_batch<InputGradient, B>(context, params, grads, x, y, dy, dx, scratch);
    } else {
        const auto samples = [&](T* into, std::size_t first, std::size_t last) {
            for (std::size_t b = first; b < last; ++b) {
                if constexpr (scratch_size_of<Impl> > 0)
                    Impl::template backward<InputGradient>(params, into, x[b], y[b], dy[b], dx[b],
                                                           scratch + b * scratch_size_of<Impl>);
                else
                    Impl::template backward<InputGradient>(params, into, x[b], y[b], dy[b], dx[b]);
            }
        };
        constexpr std::size_t count = Impl::parameters::size;
        const std::size_t n = samples_in<B>(context);
        if (!splits(context, n) || context.parallel->gradient_buffer_bytes() < count * sizeof(T)) {
            samples(grads, 0, n);
            return;
        }
        const Parallel& parallel = *context.parallel;
        for_each_part(parallel, n, [&](std::size_t part, std::size_t first, std::size_t last) {
            T* into = grads;
            if (part > 0) {
                into = static_cast<T*>(parallel.gradient_buffer(part));
                for (std::size_t i = 0; i < count; ++i) into[i] = T{};
            }
            samples(into, first, last);
        });
        for (std::size_t part = 1; part < parallel.parts(); ++part) {
            const T* from = static_cast<const T*>(parallel.gradient_buffer(part));
            for (std::size_t i = 0; i < count; ++i) grads[i] += from[i];
        }
    }
}

/// Runs a bound layer forward on one sample in evaluation mode, as inference does; in constant
/// evaluation through its constexpr stand-in (see constant_evaluable).
template <class Layer, class In, class T>
[[gnu::noinline]] constexpr void forward_sample_of(const T* params, TensorView<In, const T> x,
                                                   TensorView<typename Layer::template bound<In, T>::output_shape, T> y,
                                                   T* scratch) {
    const auto run = [&]<class Impl>() {
        if constexpr (InferenceLayer<Impl, T>)
            Impl::infer(params, x, y, scratch);
        else
            forward_one<Impl>(params, x, y, scratch);
    };
    if (std::is_constant_evaluated())
        run.template operator()<typename constant_evaluable<Layer>::type::template bound<In, T>>();
    else
        run.template operator()<typename Layer::template bound<In, T>>();
}

/// Layers run one after another: the network's layers, a Sequential's, a Residual's body.
/// Keeps the outputs of all but the last layer, their gradients and every layer's scratch in
/// one work area the caller provides (`work_size<B>` values for a batch of B), so that the
/// chain's output goes straight into the caller's buffer.
template <class T, class InputShape, class... Layers>
struct Chain {
    static constexpr std::size_t N = sizeof...(Layers);
    using scalar_type = T;
    using table = shape_table<InputShape, Layers...>;
    static constexpr bool valid = table::propagation.ok();

    template <std::size_t I>
    using layer = typename nth_type<I, Layers...>::type;
    /// Shape I: the input for I = 0, else the output of layer I - 1.
    template <std::size_t I>
    using shape = table_shape<table, I>;
    template <std::size_t I>
    using impl = typename layer<I>::template bound<shape<I>, T>;
    using input_shape = InputShape;
    using output_shape = shape<N>;

private:
    static constexpr std::array<std::size_t, N + 1> offsets_of(std::array<std::size_t, N> sizes) {
        std::array<std::size_t, N + 1> result{};
        for (std::size_t i = 0; i < N; ++i) result[i + 1] = result[i] + sizes[i];
        return result;
    }
    template <template <std::size_t> class Of>
    static constexpr std::array<std::size_t, N> per_layer() {
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return std::array<std::size_t, N>{Of<I>::value...};
        }(std::make_index_sequence<N>{});
    }
    template <std::size_t I>
    struct parameters_of : std::integral_constant<std::size_t, impl<I>::parameters::size> {};
    template <std::size_t I>
    struct scratch_of : std::integral_constant<std::size_t, scratch_size_of<impl<I>>> {};
    template <std::size_t I>
    struct tensor_count_of : std::integral_constant<std::size_t, impl<I>::parameters::tensor_count> {};

    static constexpr LayerPath prepend(std::size_t i, const LayerPath& path) {
        LayerPath result = LayerPath{}.child(i);
        for (std::size_t d = 0; d < path.depth; ++d) result = result.child(path.index[d]);
        return result;
    }

public:
    /// Where layer I's parameters start; the last entry is the chain's total.
    static constexpr std::array<std::size_t, N + 1> parameter_offsets = offsets_of(per_layer<parameters_of>());
    static constexpr std::size_t parameter_count = parameter_offsets[N];
    static constexpr std::array<std::size_t, N> scratch_sizes = per_layer<scratch_of>();
    static constexpr std::size_t tensor_count = offsets_of(per_layer<tensor_count_of>())[N];

    /// Every tensor of every layer, offsets from the chain's parameters, each with its layer's
    /// kind and its path within the chain (`path.index[0]` is the layer).
    static constexpr std::array<ParameterInfo, tensor_count> tensors = [] {
        std::array<ParameterInfo, tensor_count> result{};
        std::size_t next = 0;
        const auto add = [&]<std::size_t I>() {
            for (ParameterInfo tensor : impl<I>::parameters::tensors) {
                if (tensor.kind.empty()) tensor.kind = layer<I>::kind;  // a leaf layer's own tensor
                tensor.offset += parameter_offsets[I];
                tensor.path = prepend(I, tensor.path);
                tensor.layer = I;
                result[next++] = tensor;
            }
        };
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (add.template operator()<I>(), ...);
        }(std::make_index_sequence<N>{});
        return result;
    }();

    /// The work area for a batch of B: where the output and output gradient of layer I (I < N - 1)
    /// and the scratch of layer I (any I) start, each region on its own line.
    template <std::size_t B>
    struct Layout {
        std::array<std::size_t, N> outputs{}, gradients{}, scratch{};
        std::size_t size = 0;
    };
    template <std::size_t B>
    static constexpr Layout<B> layout = [] {
        Layout<B> result{};
        std::array<std::size_t, N + 1> sizes{};
        for (std::size_t i = 0; i <= N; ++i) sizes[i] = table::shapes[i].size();
        for (std::size_t i = 0; i + 1 < N; ++i) {
            result.outputs[i] = result.size;
            result.size += round_to_lines<T>(B * sizes[i + 1]);
        }
        for (std::size_t i = 0; i + 1 < N; ++i) {
            result.gradients[i] = result.size;
            result.size += round_to_lines<T>(B * sizes[i + 1]);
        }
        for (std::size_t i = 0; i < N; ++i) {
            result.scratch[i] = result.size;
            result.size += round_to_lines<T>(B * scratch_sizes[i]);
        }
        return result;
    }();
    /// Values of work area a batch of B needs; at most B times `work_size<1>`, so a block can
    /// declare `work_size<1>` as its per-sample scratch.
    template <std::size_t B>
    static constexpr std::size_t work_size = layout<B>.size;
    /// The largest scratch any one layer needs for one sample: what inference keeps.
    static constexpr std::size_t largest_scratch = [] {
        std::size_t largest = 0;
        for (const std::size_t s : scratch_sizes) largest = std::max(largest, s);
        return largest;
    }();

    /// Runs every layer over the batch; the last writes `y`. Consecutive layers that run sample
    /// by sample run as one stretch: each sample goes through all of them before the next, its
    /// activations still in cache when the next layer reads them, and threads meet once a
    /// stretch rather than once a layer. The same calls on the same values: the same bits as
    /// layer after layer. In inference all but BatchesInInference layers run sample by sample.
    template <std::size_t B>
    static constexpr void forward_batch(const PassContext& context, T* params, BatchView<InputShape, B, const T> x,
                                        BatchView<output_shape, B, T> y, T* work) {
        const auto run = [&]<bool Inference>() {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (forward_stretch<I, B, Inference>(context, params, x, y, work), ...);
            }(std::make_index_sequence<N>{});
        };
        if (context.mode == Mode::inference)
            run.template operator()<true>();
        else
            run.template operator()<false>();
    }

    /// Back-propagates `dy` through layers N - 1 down to `First`, adding parameter gradients to
    /// `grads`; writes `dx` when InputGradient (and First is 0). Layers before First are left alone.
    template <bool InputGradient, std::size_t B, std::size_t First = 0>
    static constexpr void backward_batch(const PassContext& context, const T* params, T* grads,
                                         BatchView<InputShape, B, const T> x, BatchView<output_shape, B, const T> y,
                                         BatchView<output_shape, B, const T> dy, BatchView<InputShape, B, T> dx, T* work) {
        [&]<std::size_t... R>(std::index_sequence<R...>) {
            (backward_layer<N - 1 - R, InputGradient, B, First>(context, params, grads, x, y, dy, dx, work), ...);
        }(std::make_index_sequence<N>{});
    }

    /// One sample in evaluation mode with const parameters: what inference runs, also in
    /// constant evaluation. `work` holds `work_size<1>` values.
    static constexpr void forward_sample(const T* params, TensorView<InputShape, const T> x,
                                         TensorView<output_shape, T> y, T* work) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (forward_sample_layer<I>(params, x, y, work), ...);
        }(std::make_index_sequence<N>{});
    }

    /// Layer I's output for the batch (I < N - 1), inside `work`.
    template <std::size_t I, std::size_t B, class U>
    static constexpr BatchView<shape<I + 1>, B, U> output_in(U* work) {
        return {work + layout<B>.outputs[I]};
    }

private:
    /// Values of shape I for the batch: `first` for I = 0 (the chain's input or its gradient),
    /// `last` for I = N (its output or output gradient), else inside `work` at `regions[I - 1]`
    /// (a layer's output, or its gradient).
    template <std::size_t I, std::size_t B, class U, class First, class Last>
    static constexpr BatchView<shape<I>, B, U> at(First first, Last last, U* work, const std::array<std::size_t, N>& regions) {
        if constexpr (I == 0)
            return BatchView<shape<0>, B, U>(first);
        else if constexpr (I == N)
            return BatchView<shape<N>, B, U>(last);
        else
            return {work + regions[I - 1]};
    }

    /// Whether layer I runs sample by sample: in inference (Inference) or in the other modes.
    template <std::size_t I, bool Inference>
    static constexpr bool per_sample = Inference ? !BatchesInInference<impl<I>, T> : !BatchedLayer<impl<I>, T>;

    /// One past the last layer of the stretch of per-sample layers that starts at layer I.
    template <std::size_t I, bool Inference>
    static constexpr std::size_t stretch_end() {
        if constexpr (I == N)
            return I;
        else if constexpr (per_sample<I, Inference>)
            return stretch_end<I + 1, Inference>();
        else
            return I;
    }

    template <std::size_t I, bool Inference>
    static constexpr bool starts_stretch() {
        if constexpr (I == 0)
            return per_sample<0, Inference>;
        else
            return per_sample<I, Inference> && !per_sample<I - 1, Inference>;
    }

    /// Layer I over the batch if it is batched; the stretch of per-sample layers if one starts
    /// at I; nothing if I is inside a stretch, which its first layer runs. In inference each
    /// layer runs as Inference::predict runs it, and only the stretch's last output is read
    /// afterwards: the other outputs and the scratch go, sample after sample, to the slots of
    /// the first sample a thread handles, which stay in cache (LeNet-5 at batch 256 wrote 93 KiB
    /// an image to fresh memory: 20.4 us an image, now 13.7).
    template <std::size_t I, std::size_t B, bool Inference>
    static constexpr void forward_stretch(const PassContext& context, T* params, BatchView<InputShape, B, const T> x,
                                          BatchView<output_shape, B, T> y, T* work) {
        constexpr auto& outputs = layout<B>.outputs;
        if constexpr (!per_sample<I, Inference>) {
            forward_batch_of<impl<I>, B>(context, params + parameter_offsets[I], at<I, B, const T>(x, y, work, outputs),
                                         at<I + 1, B, T>(x, y, work, outputs), work + layout<B>.scratch[I]);
        } else if constexpr (starts_stretch<I, Inference>()) {
            constexpr std::size_t end = stretch_end<I, Inference>();
            share_out(context, samples_in<B>(context), [&](std::size_t first, std::size_t last) {
                for (std::size_t b = first; b < last; ++b)
                    [&]<std::size_t... L>(std::index_sequence<L...>) {
                        (forward_in_stretch<I + L, B, Inference, I, end>(params, x, y, work, b, first), ...);
                    }(std::make_index_sequence<end - I>{});
            });
        }
    }

    /// Layer I of the stretch [Start, End) on sample b; `first` is the part's first sample.
    template <std::size_t I, std::size_t B, bool Inference, std::size_t Start, std::size_t End>
    static constexpr void forward_in_stretch(const T* params, BatchView<InputShape, B, const T> x, BatchView<output_shape, B, T> y,
                                             T* work, std::size_t b, std::size_t first) {
        constexpr auto& outputs = layout<B>.outputs;
        const auto slot = [&](std::size_t i) { return Inference && i < End ? first : b; };  // where shape i is
        const auto in = at<I, B, const T>(x, y, work, outputs)[I == Start ? b : slot(I)];
        const auto out = at<I + 1, B, T>(x, y, work, outputs)[slot(I + 1)];
        T* scratch = work + layout<B>.scratch[I] + slot(I) * scratch_size_of<impl<I>>;
        if constexpr (Inference)
            forward_sample_of<layer<I>, shape<I>>(params + parameter_offsets[I], in, out, scratch);
        else
            forward_one<impl<I>>(params + parameter_offsets[I], in, out, scratch);
    }

    template <std::size_t I, bool InputGradient, std::size_t B, std::size_t First>
    static constexpr void backward_layer(const PassContext& context, const T* params, T* grads,
                                         BatchView<InputShape, B, const T> x, BatchView<output_shape, B, const T> y,
                                         BatchView<output_shape, B, const T> dy, BatchView<InputShape, B, T> dx, T* work) {
        if constexpr (I >= First) {
            constexpr auto& outputs = layout<B>.outputs;
            constexpr auto& gradients = layout<B>.gradients;
            // Below the first layer to train, nobody needs this layer's input gradient.
            constexpr bool pass_on = I == 0 ? InputGradient : I > First;
            backward_batch_of<impl<I>, pass_on, B>(
                context, params + parameter_offsets[I], grads + parameter_offsets[I],
                at<I, B, const T>(x, y, work, outputs), at<I + 1, B, const T>(x, y, work, outputs),
                at<I + 1, B, const T>(dx, dy, work, gradients), at<I, B, T>(dx, dy, work, gradients),
                work + layout<B>.scratch[I]);
        }
    }

    template <std::size_t I>
    static constexpr void forward_sample_layer(const T* params, TensorView<InputShape, const T> x,
                                               TensorView<output_shape, T> y, T* work) {
        const auto in = [&] {
            if constexpr (I == 0)
                return x;
            else
                return TensorView<shape<I>, const T>{work + layout<1>.outputs[I - 1]};
        }();
        const auto out = [&] {
            if constexpr (I + 1 == N)
                return y;
            else
                return TensorView<shape<I + 1>, T>{work + layout<1>.outputs[I]};
        }();
        forward_sample_of<layer<I>, shape<I>>(params + parameter_offsets[I], in, out, work + layout<1>.scratch[I]);
    }
};

}  // namespace typenet::detail
