// Dropout<Rate>: in training, zeroes each value with probability Rate and scales the rest; in other modes, nothing.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ratio>
#include <string_view>

#include <typenet/layers/layer.hpp>
#include <typenet/tensor.hpp>

namespace typenet {
namespace detail {

/// A uniform 64-bit number for element `index` of a pass seeded `seed` (SplitMix64's finaliser):
/// counter-based, so a mask needs no generator state and the same seed gives the same mask.
constexpr std::uint64_t mask_bits(std::uint64_t seed, std::uint64_t index) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace detail

/// `Dropout<std::ratio<1, 4>>` drops a quarter of the values in training and scales the others by
/// 4/3 ("inverted" dropout, as PyTorch), so evaluation passes values through unchanged. The masks
/// come from the pass's seed (the trainer's: FitOptions::seed and the step), so a run repeats.
template <class Rate>
struct Dropout {
    static_assert(Rate::num >= 0 && Rate::num < Rate::den, "typenet: Dropout's rate must be in [0, 1)");

    static constexpr std::string_view kind = "Dropout";
    static constexpr std::array<LayerSetting, 2> settings{{{"rate_num", Rate::num}, {"rate_den", Rate::den}}};

    static constexpr LayerResult propagate(ShapeValue in) { return accept(in); }

    template <class In, class T>
    struct bound : NoParameters {
        using input_shape = In;
        using output_shape = In;
        /// Per sample: the multiplier of each value, 0 or 1 / (1 - rate), kept for backward.
        static constexpr std::size_t scratch_size = In::size;
        static constexpr T keep_scale = T(Rate::den) / T(Rate::den - Rate::num);
        /// A value is dropped when its 64 random bits fall below rate * 2^64.
        static constexpr std::uint64_t threshold =
            std::numeric_limits<std::uint64_t>::max() / std::uint64_t(Rate::den) * std::uint64_t(Rate::num);

        static constexpr void forward(const T*, TensorView<In, const T> x, TensorView<In, T> y, T*) {
            for (std::size_t i = 0; i < In::size; ++i) y[i] = x[i];
        }

        template <std::size_t B>
        static constexpr void forward_batch(const PassContext& context, T*, BatchView<In, B, const T> x,
                                            BatchView<In, B, T> y, T* mask) {
            const std::size_t n = samples_in<B>(context) * In::size;
            if (context.mode != Mode::training) {
                for (std::size_t i = 0; i < n; ++i) y.data()[i] = x.data()[i];
                return;
            }
            for (std::size_t i = 0; i < n; ++i) {
                mask[i] = detail::mask_bits(context.seed, i) < threshold ? T{} : keep_scale;
                y.data()[i] = x.data()[i] * mask[i];
            }
        }

        template <bool InputGradient, std::size_t B>
        static constexpr void backward_batch(const PassContext& context, const T*, T*, BatchView<In, B, const T>,
                                             BatchView<In, B, const T>, BatchView<In, B, const T> dy,
                                             BatchView<In, B, T> dx, T* mask) {
            if constexpr (InputGradient) {
                const std::size_t n = samples_in<B>(context) * In::size;
                const bool training = context.mode == Mode::training;
                for (std::size_t i = 0; i < n; ++i) dx.data()[i] = training ? dy.data()[i] * mask[i] : dy.data()[i];
            }
        }
    };
};

}  // namespace typenet
