// Sequential<Layers...>: layers one after another, as one layer; Shortcut<Layers...>, a Residual's projection.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/detail/block.hpp>
#include <typenet/detail/chain.hpp>
#include <typenet/layers/layer.hpp>

namespace typenet {
namespace detail {

struct sequential_kind {
    static constexpr std::string_view kind = "Sequential";
};
struct shortcut_kind {
    static constexpr std::string_view kind = "Shortcut";
};

/// Runs a Chain as one layer: the inner layers' outputs, gradients and scratch live in its scratch.
template <class Chain>
struct chain_layer {
    using T = typename Chain::scalar_type;
    using input_shape = typename Chain::input_shape;
    using output_shape = typename Chain::output_shape;
    using parameters = block_parameters<Chain>;
    static constexpr std::size_t scratch_size = block_scratch(Chain::template work_size<1>);

    static constexpr void forward(const T* params, TensorView<input_shape, const T> x, TensorView<output_shape, T> y,
                                  T* scratch) {
        Chain::forward_sample(params, x, y, scratch);
    }
    template <std::size_t B>
    static constexpr void forward_batch(const PassContext& context, T* params, BatchView<input_shape, B, const T> x,
                                        BatchView<output_shape, B, T> y, T* scratch) {
        Chain::template forward_batch<B>(context, params, x, y, scratch);
    }
    template <bool InputGradient, std::size_t B>
    static constexpr void backward_batch(const PassContext& context, const T* params, T* grads,
                                         BatchView<input_shape, B, const T> x, BatchView<output_shape, B, const T> y,
                                         BatchView<output_shape, B, const T> dy, BatchView<input_shape, B, T> dx,
                                         T* scratch) {
        Chain::template backward_batch<InputGradient, B>(context, params, grads, x, y, dy, dx, scratch);
    }
};

/// Layers one after another under the name `Kind::kind`.
template <class Kind, class... Layers>
struct sequence {
    static_assert(sizeof...(Layers) > 0, "typenet: a Sequential or Shortcut needs at least one layer");

    static constexpr std::string_view kind = Kind::kind;
    static constexpr std::array<LayerSetting, 0> settings{};
    using children = layer_list<Layers...>;

    /// The input each inner layer is given.
    static constexpr std::array<ShapeValue, sizeof...(Layers)> child_inputs(ShapeValue in) {
        const auto shapes = detail::propagate<Layers...>(in).shapes;
        std::array<ShapeValue, sizeof...(Layers)> result{};
        for (std::size_t i = 0; i < result.size(); ++i) result[i] = shapes[i];
        return result;
    }
    static constexpr LayerResult propagate(ShapeValue in) {
        const auto chain = detail::propagate<Layers...>(in);
        return chain.ok() ? accept(chain.shapes.back()) : reject(Problem::inside_block);
    }

    template <class In, class T>
    struct bound : chain_layer<Chain<T, In, Layers...>> {};
};

}  // namespace detail

/// Layers run one after another, as one layer: a branch of a Concat, or a group of layers to
/// name once. `Sequential<Conv2D<16, Kernel<1>>, BatchNorm, ReLU>`.
template <class... Layers>
struct Sequential : detail::sequence<detail::sequential_kind, Layers...> {};

/// A Residual's projection shortcut, for a body that changes the shape: the input goes through
/// these layers before it is added. `Residual<Shortcut<Conv2D<32, Kernel<1>, Stride<2>>>, ...>`.
template <class... Layers>
struct Shortcut : detail::sequence<detail::shortcut_kind, Layers...> {};

}  // namespace typenet
