// Concat<Branches...>: runs every branch on the same input and stacks their outputs along channels.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/detail/block.hpp>
#include <typenet/detail/chain.hpp>
#include <typenet/layers/layer.hpp>

namespace typenet {
namespace detail {

template <class T, class In, class... Branches>
struct concat_bound {
    static constexpr std::size_t K = sizeof...(Branches);
    template <std::size_t k>
    using branch = typename nth_type<k, Branches...>::type;
    template <std::size_t k>
    using impl = typename branch<k>::template bound<In, T>;

    using input_shape = In;
    static constexpr std::array<std::size_t, K> output_sizes{Branches::template bound<In, T>::output_shape::size...};
    static constexpr std::size_t output_size = (std::size_t{0} + ... + Branches::template bound<In, T>::output_shape::size);
    using first_output = typename impl<0>::output_shape;
    using output_shape = std::conditional_t<first_output::rank == 3,
                                            Shape<output_size / (first_output::size / first_output::dims[0]),
                                                  first_output::dims[first_output::rank == 3 ? 1 : 0],
                                                  first_output::dims[first_output::rank == 3 ? 2 : 0]>,
                                            Shape<output_size>>;

    /// Where each branch's parameters and output values start.
    static constexpr std::array<std::size_t, K + 1> parameter_offsets = [] {
        const std::array<std::size_t, K> sizes{Branches::template bound<In, T>::parameters::size...};
        std::array<std::size_t, K + 1> result{};
        for (std::size_t k = 0; k < K; ++k) result[k + 1] = result[k] + sizes[k];
        return result;
    }();
    static constexpr std::array<std::size_t, K + 1> output_offsets = [] {
        std::array<std::size_t, K + 1> result{};
        for (std::size_t k = 0; k < K; ++k) result[k + 1] = result[k] + output_sizes[k];
        return result;
    }();

    struct tensor_list {
        static constexpr std::size_t parameter_count = parameter_offsets[K];
        static constexpr auto tensors = []<std::size_t... k>(std::index_sequence<k...>) {
            std::array<ParameterInfo, (std::size_t{0} + ... + impl<k>::parameters::tensor_count)> result{};
            std::size_t next = 0;
            const auto add = [&](const auto& branch_tensors) {
                for (const ParameterInfo& tensor : branch_tensors) result[next++] = tensor;
            };
            (add(under_child(impl<k>::parameters::tensors, branch<k>::kind, k, parameter_offsets[k])), ...);
            return result;
        }(std::make_index_sequence<K>{});
    };
    using parameters = block_parameters<tensor_list>;

    /// Per sample: each branch's output, output gradient and scratch, then one input gradient
    /// that branches after the first pass back through.
    static constexpr auto region_sizes = [] {
        std::array<std::size_t, 3 * K + 1> sizes{};
        const std::array<std::size_t, K> scratch{scratch_size_of<typename Branches::template bound<In, T>>...};
        for (std::size_t k = 0; k < K; ++k) {
            sizes[3 * k] = output_sizes[k];
            sizes[3 * k + 1] = output_sizes[k];
            sizes[3 * k + 2] = scratch[k];
        }
        sizes[3 * K] = In::size;
        return sizes;
    }();
    template <std::size_t B>
    static constexpr Regions<3 * K + 1> layout = regions<T, B>(region_sizes);
    static constexpr std::size_t scratch_size = block_scratch(layout<1>.size);

    template <std::size_t k, std::size_t B, class U>
    static constexpr BatchView<typename impl<k>::output_shape, B, U> output_of(U* scratch) {
        return {scratch + layout<B>.start[3 * k]};
    }
    template <std::size_t k, std::size_t B, class U>
    static constexpr BatchView<typename impl<k>::output_shape, B, U> gradient_of(U* scratch) {
        return {scratch + layout<B>.start[3 * k + 1]};
    }

    static constexpr void forward(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y, T* scratch) {
        [&]<std::size_t... k>(std::index_sequence<k...>) {
            (forward_sample_of<branch<k>, In>(params + parameter_offsets[k], x,
                                               TensorView<typename impl<k>::output_shape, T>{y.data() + output_offsets[k]},
                                               scratch + layout<1>.start[3 * k + 2]),
             ...);
        }(std::make_index_sequence<K>{});
    }

    template <std::size_t B>
    static constexpr void forward_batch(const PassContext& context, T* params, BatchView<In, B, const T> x,
                                        BatchView<output_shape, B, T> y, T* scratch) {
        [&]<std::size_t... k>(std::index_sequence<k...>) {
            (forward_batch_of<impl<k>, B>(context, params + parameter_offsets[k], x, output_of<k, B>(scratch),
                                          scratch + layout<B>.start[3 * k + 2]),
             ...);
            // Sample by sample, each branch's output is one run of y (channels are outermost).
            for (std::size_t b = 0; b < samples_in<B>(context); ++b)
                (copy(output_of<k, B>(scratch)[b].data(), output_sizes[k], y[b].data() + output_offsets[k]), ...);
        }(std::make_index_sequence<K>{});
    }

    /// Each branch gets its run of the output gradient; their input gradients add.
    template <bool InputGradient, std::size_t B>
    static constexpr void backward_batch(const PassContext& context, const T* params, T* grads,
                                         BatchView<In, B, const T> x, BatchView<output_shape, B, const T>,
                                         BatchView<output_shape, B, const T> dy, BatchView<In, B, T> dx, T* scratch) {
        const std::size_t n = samples_in<B>(context);
        const BatchView<In, B, T> branch_dx{scratch + layout<B>.start[3 * K]};
        [&]<std::size_t... k>(std::index_sequence<k...>) {
            const auto one = [&]<std::size_t j>() {
                for (std::size_t b = 0; b < n; ++b)
                    copy(dy[b].data() + output_offsets[j], output_sizes[j], gradient_of<j, B>(scratch)[b].data());
                backward_batch_of<impl<j>, InputGradient, B>(
                    context, params + parameter_offsets[j], grads + parameter_offsets[j], x,
                    BatchView<typename impl<j>::output_shape, B, const T>(output_of<j, B>(scratch)),
                    BatchView<typename impl<j>::output_shape, B, const T>(gradient_of<j, B>(scratch)),
                    j == 0 ? dx : branch_dx, scratch + layout<B>.start[3 * j + 2]);
                if constexpr (InputGradient && j > 0)
                    for (std::size_t i = 0; i < n * In::size; ++i) dx.data()[i] += branch_dx.data()[i];
            };
            (one.template operator()<k>(), ...);
        }(std::make_index_sequence<K>{});
    }

private:
    static constexpr void copy(const T* from, std::size_t count, T* to) {
        for (std::size_t i = 0; i < count; ++i) to[i] = from[i];
    }
};

template <class... Branches>
struct concat {
    static_assert(sizeof...(Branches) > 0, "typenet: a Concat needs at least one branch");

    static constexpr std::string_view kind = "Concat";
    static constexpr std::array<LayerSetting, 0> settings{};
    using children = layer_list<Branches...>;

    static constexpr std::array<ShapeValue, sizeof...(Branches)> child_inputs(ShapeValue in) {
        std::array<ShapeValue, sizeof...(Branches)> result{};
        result.fill(in);
        return result;
    }
    /// Branch outputs must agree in everything but their first dimension, which adds up.
    static constexpr LayerResult propagate(ShapeValue in) {
        const std::array<LayerResult, sizeof...(Branches)> outputs{Branches::propagate(in)...};
        for (const LayerResult& r : outputs)
            if (r.problem != Problem::none) return reject(Problem::inside_block);
        ShapeValue result = outputs[0].output;
        if (result.rank != 1 && result.rank != 3) return reject(Problem::branches_differ);
        for (std::size_t k = 1; k < outputs.size(); ++k) {
            const ShapeValue& s = outputs[k].output;
            if (s.rank != result.rank) return reject(Problem::branches_differ);
            for (std::size_t d = 1; d < s.rank; ++d)
                if (s.dims[d] != result.dims[d]) return reject(Problem::branches_differ);
            result.dims[0] += s.dims[0];
        }
        return accept(result);
    }

    template <class In, class T>
    struct bound : concat_bound<T, In, Branches...> {};
};

}  // namespace detail

/// Runs each branch on the block's input and stacks their outputs along channels (or features):
/// `Concat<Sequential<Conv2D<16, Kernel<1>>>, Sequential<DepthwiseConv2D<Kernel<3>, Pad<same>>>>`.
/// Branches must agree in height and width.
template <class... Branches>
struct Concat : detail::concat<Branches...> {};

}  // namespace typenet
