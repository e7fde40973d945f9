// Residual<Body...>: adds a block's input to its body's output (through a Shortcut when the body changes the shape).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <typenet/detail/block.hpp>
#include <typenet/detail/chain.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/layers/sequential.hpp>

namespace typenet {
namespace detail {

/// The identity shortcut: no layers, no parameters.
struct identity_shortcut {};

/// A projection's bound layer, named only when there is a projection.
template <class Projection, class In, class T>
struct projection_bound {
    using type = typename Projection::template bound<In, T>;
};

template <class T, class In, class Projection, class... Body>
struct residual_bound {
    using body = Chain<T, In, Body...>;
    using input_shape = In;
    using output_shape = typename body::output_shape;
    static constexpr bool projected = !std::is_same_v<Projection, identity_shortcut>;
    using shortcut =
        typename std::conditional_t<projected, projection_bound<Projection, In, T>, std::type_identity<void>>::type;

    struct tensor_list {
        static constexpr std::size_t parameter_count = [] {
            if constexpr (projected)
                return body::parameter_count + shortcut::parameters::size;
            else
                return body::parameter_count;
        }();
        static constexpr auto tensors = [] {
            if constexpr (projected)
                return joined(body::tensors, under_child(shortcut::parameters::tensors, Projection::kind, sizeof...(Body),
                                                         body::parameter_count));
            else
                return body::tensors;
        }();
    };
    using parameters = block_parameters<tensor_list>;

    /// Per sample: the body's work, its output (kept apart from y, which holds the sum), and
    /// for a projection its scratch, its output and the input gradient it passes back.
    static constexpr std::array<std::size_t, 5> region_sizes{
        body::template work_size<1>, output_shape::size, projected ? scratch_size_of<shortcut> : 0,
        projected ? output_shape::size : 0, projected ? In::size : 0};
    enum region { body_work, body_output, shortcut_scratch, shortcut_output, shortcut_gradient };
    template <std::size_t B>
    static constexpr Regions<5> layout = regions<T, B>(region_sizes);
    static constexpr std::size_t scratch_size = block_scratch(layout<1>.size);

    static constexpr void forward(const T* params, TensorView<In, const T> x, TensorView<output_shape, T> y, T* scratch) {
        const TensorView<output_shape, T> body_y{scratch + layout<1>.start[body_output]};
        body::forward_sample(params, x, body_y, scratch + layout<1>.start[body_work]);
        if constexpr (projected) {
            const TensorView<output_shape, T> shortcut_y{scratch + layout<1>.start[shortcut_output]};
            forward_sample_of<Projection, In>(params + body::parameter_count, x, shortcut_y,
                                              scratch + layout<1>.start[shortcut_scratch]);
            for (std::size_t i = 0; i < output_shape::size; ++i) y[i] = body_y[i] + shortcut_y[i];
        } else {
            for (std::size_t i = 0; i < output_shape::size; ++i) y[i] = body_y[i] + x[i];
        }
    }

    template <std::size_t B>
    static constexpr void forward_batch(const PassContext& context, T* params, BatchView<In, B, const T> x,
                                        BatchView<output_shape, B, T> y, T* scratch) {
        const BatchView<output_shape, B, T> body_y{scratch + layout<B>.start[body_output]};
        body::template forward_batch<B>(context, params, x, body_y, scratch + layout<B>.start[body_work]);
        const std::size_t n = samples_in<B>(context) * output_shape::size;
        if constexpr (projected) {
            const BatchView<output_shape, B, T> shortcut_y{scratch + layout<B>.start[shortcut_output]};
            forward_batch_of<shortcut, B>(context, params + body::parameter_count, x, shortcut_y,
                                          scratch + layout<B>.start[shortcut_scratch]);
            for (std::size_t i = 0; i < n; ++i) y.data()[i] = body_y.data()[i] + shortcut_y.data()[i];
        } else {
            for (std::size_t i = 0; i < n; ++i) y.data()[i] = body_y.data()[i] + x.data()[i];
        }
    }

    /// The output gradient reaches the body and the shortcut unchanged; their input gradients add.
    template <bool InputGradient, std::size_t B>
    static constexpr void backward_batch(const PassContext& context, const T* params, T* grads,
                                         BatchView<In, B, const T> x, BatchView<output_shape, B, const T>,
                                         BatchView<output_shape, B, const T> dy, BatchView<In, B, T> dx, T* scratch) {
        const BatchView<output_shape, B, const T> body_y{scratch + layout<B>.start[body_output]};
        body::template backward_batch<InputGradient, B>(context, params, grads, x, body_y, dy, dx,
                                                        scratch + layout<B>.start[body_work]);
        const std::size_t n = samples_in<B>(context) * In::size;
        if constexpr (projected) {
            const BatchView<output_shape, B, const T> shortcut_y{scratch + layout<B>.start[shortcut_output]};
            const BatchView<In, B, T> shortcut_dx{scratch + layout<B>.start[shortcut_gradient]};
            backward_batch_of<shortcut, InputGradient, B>(context, params + body::parameter_count,
                                                          grads + body::parameter_count, x, shortcut_y, dy, shortcut_dx,
                                                          scratch + layout<B>.start[shortcut_scratch]);
            if constexpr (InputGradient)
                for (std::size_t i = 0; i < n; ++i) dx.data()[i] += shortcut_dx.data()[i];
        } else if constexpr (InputGradient) {
            for (std::size_t i = 0; i < n; ++i) dx.data()[i] += dy.data()[i];
        }
    }
};

template <class Projection, class... Body>
struct residual {
    static_assert(sizeof...(Body) > 0, "typenet: a Residual needs at least one layer in its body");

    static constexpr std::string_view kind = "Residual";
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr bool projected = !std::is_same_v<Projection, identity_shortcut>;
    /// The body's layers, then the Shortcut if there is one.
    using children = std::conditional_t<projected, layer_list<Body..., Projection>, layer_list<Body...>>;

    static constexpr std::array<ShapeValue, children::size> child_inputs(ShapeValue in) {
        const auto shapes = detail::propagate<Body...>(in).shapes;
        std::array<ShapeValue, children::size> result{};
        for (std::size_t i = 0; i < sizeof...(Body); ++i) result[i] = shapes[i];
        if constexpr (projected) result.back() = in;
        return result;
    }
    static constexpr LayerResult propagate(ShapeValue in) {
        const auto body = detail::propagate<Body...>(in);
        if (!body.ok()) return reject(Problem::inside_block);
        ShapeValue shortcut = in;
        if constexpr (projected) {
            const LayerResult r = Projection::propagate(in);
            if (r.problem != Problem::none) return reject(Problem::inside_block);
            shortcut = r.output;
        }
        return body.shapes.back() == shortcut ? accept(shortcut) : reject(Problem::body_changes_shape);
    }

    template <class In, class T>
    struct bound : residual_bound<T, In, Projection, Body...> {};
};

}  // namespace detail

/// Adds the block's input to the output of its body: `Residual<Conv2D<16, Kernel<3>, Pad<same>>,
/// BatchNorm, ReLU, Conv2D<16, Kernel<3>, Pad<same>>, BatchNorm>`. A body that changes the shape
/// needs a projection as its first argument, which the input goes through instead:
/// `Residual<Shortcut<Conv2D<32, Kernel<1>, Stride<2>>>, Conv2D<32, Kernel<3>, Stride<2>, Pad<same>>, ...>`.
template <class... Body>
struct Residual : detail::residual<detail::identity_shortcut, Body...> {};
template <class... Projection, class... Body>
struct Residual<Shortcut<Projection...>, Body...> : detail::residual<Shortcut<Projection...>, Body...> {};

}  // namespace typenet
