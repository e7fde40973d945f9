// Inference<Net>: a trained network's parameters and two activation buffers, nothing else.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <typenet/detail/constant_evaluation.hpp>
#include <typenet/network.hpp>

namespace typenet {
namespace detail {

/// What running `Net` forward needs besides its parameters: two buffers of the largest layer
/// output, which layers alternate between, and the largest scratch any one layer needs.
/// Inference owns the parameters it reads; RomInference reads them where they are (flash).
template <class Net>
class ForwardBuffers {
    using T = typename Net::scalar_type;
    static constexpr std::size_t N = Net::layer_count;

public:
    using input_tensor = typename Net::input_tensor;
    using output_view = TensorView<typename Net::output_shape_type, const T>;

    /// Runs every layer on `x` with `parameters` (Net::parameter_count values, in Net's order);
    /// the result stays valid until the next call.
    constexpr output_view run(const T* parameters, const input_tensor& x) {
        run_layers(parameters, x, std::make_index_sequence<N>{});
        return {buffers_[(N - 1) % 2].data()};
    }

private:
    template <std::size_t... I>
    constexpr void run_layers(const T* parameters, const input_tensor& x, std::index_sequence<I...>) {
        (layer<I>(parameters + Net::parameter_offsets[I], x), ...);
    }

    template <std::size_t I>
    constexpr void layer(const T* params, const input_tensor& x) {
        using impl = typename Net::template layer_impl<I>;
        TensorView<typename impl::output_shape, T> out{buffers_[I % 2].data()};
        const auto in = [&] {
            if constexpr (I == 0)
                return x.view();
            else
                return TensorView<typename impl::input_shape, const T>{buffers_[(I + 1) % 2].data()};
        }();
        forward_sample_of<typename Net::template layer_type<I>, typename impl::input_shape>(params, in, out, scratch_.data());
    }

    struct alignas(tensor_alignment) buffer : std::array<T, Net::largest_output_size> {};

    buffer buffers_[2]{};
    [[no_unique_address]] TensorStorage<Net::largest_scratch_size, T> scratch_{};
};

}  // namespace detail

/// The smallest object that runs `Net` forward and owns its parameters:
/// `sizeof(Inference<Net>) == Net::inference_bytes`. Layers alternate between two buffers of the
/// largest layer output and share one scratch area, so nothing per layer is kept. To read the
/// parameters in place from read-only memory instead, see RomInference.
template <class Net>
class Inference {
public:
    using input_tensor = typename Net::input_tensor;
    using output_view = typename detail::ForwardBuffers<Net>::output_view;

    constexpr Inference() = default;
    /// Copies the parameters of a (trained) network.
    constexpr explicit Inference(const Net& net) : parameters_(net.parameters()) {}

    constexpr typename Net::parameter_tensor& parameters() { return parameters_; }
    constexpr const typename Net::parameter_tensor& parameters() const { return parameters_; }

    /// Runs every layer on `x`; the result stays valid until the next call. Also in constant
    /// evaluation.
    constexpr output_view predict(const input_tensor& x) {
        static_assert(sizeof(Inference) == Net::inference_bytes,
                      "typenet: internal error: inference_bytes does not match Inference's size");
        return buffers_.run(parameters_.data(), x);
    }

private:
    typename Net::parameter_tensor parameters_{};
    detail::ForwardBuffers<Net> buffers_{};
};

}  // namespace typenet
