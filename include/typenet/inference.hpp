// Inference<Net>: a trained network's parameters and two activation buffers, nothing else.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <typenet/network.hpp>

namespace typenet {

/// The smallest object that runs `Net` forward: `sizeof(Inference<Net>) == Net::inference_bytes`.
/// Layers alternate between two buffers of the largest layer output and share one scratch area,
/// so nothing per layer is kept.
template <class Net>
class Inference {
    using T = typename Net::scalar_type;
    static constexpr std::size_t N = Net::layer_count;

public:
    using input_tensor = typename Net::input_tensor;
    using output_view = TensorView<typename Net::output_shape_type, const T>;

    constexpr Inference() = default;
    /// Copies the parameters of a (trained) network.
    constexpr explicit Inference(const Net& net) : parameters_(net.parameters()) {}

    constexpr typename Net::parameter_tensor& parameters() { return parameters_; }
    constexpr const typename Net::parameter_tensor& parameters() const { return parameters_; }

    /// Runs every layer on `x`; the result stays valid until the next call.
    constexpr output_view predict(const input_tensor& x) {
        static_assert(sizeof(Inference) == Net::inference_bytes,
                      "typenet: internal error: inference_bytes does not match Inference's size");
        run(x, std::make_index_sequence<N>{});
        return {buffers_[(N - 1) % 2].data()};
    }

private:
    template <std::size_t... I>
    constexpr void run(const input_tensor& x, std::index_sequence<I...>) {
        (layer<I>(x), ...);
    }
    template <std::size_t I>
    constexpr void layer(const input_tensor& x) {
        using impl = typename Net::template layer_impl<I>;
        const T* params = parameters_.data() + Net::parameter_offsets[I];
        TensorView<typename impl::output_shape, T> out{buffers_[I % 2].data()};
        if constexpr (I == 0)
            detail::forward_layer<impl>(params, x.view(), out, scratch_.data());
        else
            detail::forward_layer<impl>(
                params, TensorView<typename impl::input_shape, const T>{buffers_[(I + 1) % 2].data()}, out,
                scratch_.data());
    }

    struct alignas(tensor_alignment) buffer : std::array<T, Net::largest_output_size> {};

    typename Net::parameter_tensor parameters_{};
    buffer buffers_[2]{};
    [[no_unique_address]] TensorStorage<Net::largest_scratch_size, T> scratch_{};
};

}  // namespace typenet
