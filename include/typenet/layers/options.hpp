// Kernel<>, Stride<>, Pad<>: the named options of convolution and pooling layers, given in any order.
#pragma once

#include <typenet/layers/layer.hpp>

#include <cstddef>
#include <limits>
#include <type_traits>

namespace typenet {

/// Kernel height and width (square when the width is omitted).
template <std::size_t Height, std::size_t Width = Height>
struct Kernel {
    static constexpr std::size_t height = Height, width = Width;
};

/// Step between windows, vertically and horizontally.
template <std::size_t Vertical, std::size_t Horizontal = Vertical>
struct Stride {
    static constexpr std::size_t vertical = Vertical, horizontal = Horizontal;
};

/// `Pad<same>`: (Kernel - 1) / 2 zeros on each side, which keeps the size at stride 1.
inline constexpr std::size_t same = std::numeric_limits<std::size_t>::max();

/// Zeros added on each side of the input, vertically and horizontally.
template <std::size_t Vertical, std::size_t Horizontal = Vertical>
struct Pad {
    static constexpr std::size_t vertical = Vertical, horizontal = Horizontal;
};

namespace detail {

template <class T> inline constexpr bool is_kernel = false;
template <std::size_t H, std::size_t W> inline constexpr bool is_kernel<Kernel<H, W>> = true;
template <class T> inline constexpr bool is_stride = false;
template <std::size_t V, std::size_t H> inline constexpr bool is_stride<Stride<V, H>> = true;
template <class T> inline constexpr bool is_pad = false;
template <std::size_t V, std::size_t H> inline constexpr bool is_pad<Pad<V, H>> = true;

template <class T>
inline constexpr bool is_window_option = is_kernel<T> || is_stride<T> || is_pad<T>;

/// The first option of `Options...` that satisfies `Is`, or `Default`.
template <template <class> class Is, class Default, class... Options>
struct find_option {
    using type = Default;
};
template <template <class> class Is, class Default, class First, class... Rest>
struct find_option<Is, Default, First, Rest...> {
    using type = std::conditional_t<Is<First>::value, First, typename find_option<Is, Default, Rest...>::type>;
};

template <class T> struct kernel_trait : std::bool_constant<is_kernel<T>> {};
template <class T> struct stride_trait : std::bool_constant<is_stride<T>> {};
template <class T> struct pad_trait : std::bool_constant<is_pad<T>> {};

/// Resolves `Pad<same>` once the kernel size is known.
constexpr std::size_t resolve_pad(std::size_t pad, std::size_t kernel) {
    return pad == same ? (kernel - 1) / 2 : pad;
}

/// Output length of a window sliding over `in` (+ padding): the floor rule (in + 2p - k) / s + 1.
constexpr std::size_t window_output(std::size_t in, std::size_t k, std::size_t s, std::size_t p) {
    return (in + 2 * p - k) / s + 1;
}

/// Output positions o in [first, last) whose window tap `k` lands inside the unpadded input.
struct TapRange {
    std::size_t first, last;
};
constexpr TapRange tap_range(std::size_t k, std::size_t in, std::size_t out, std::size_t s, std::size_t p) {
    // input index = o * s + k - p must lie in [0, in)
    std::size_t first = 0;
    if (p > k) first = (p - k + s - 1) / s;
    std::size_t last = 0;
    if (in + p > k) last = (in + p - k - 1) / s + 1;
    if (last > out) last = out;
    if (first > last) first = last;
    return {first, last};
}

/// A convolution's window: its options resolved (defaults Kernel<3>, Stride<1>, Pad<0>, and
/// Pad<same> turned into numbers) and checked against an input: what Conv2D and DepthwiseConv2D share.
template <class... Options>
struct window {
    static_assert((is_window_option<Options> && ...),
                  "typenet: a convolution takes only Kernel<>, Stride<> and Pad<> options");

    using kernel = typename find_option<kernel_trait, Kernel<3>, Options...>::type;
    using stride = typename find_option<stride_trait, Stride<1>, Options...>::type;
    using pad = typename find_option<pad_trait, Pad<0>, Options...>::type;
    static constexpr std::size_t kernel_h = kernel::height, kernel_w = kernel::width;
    static constexpr std::size_t stride_h = stride::vertical, stride_w = stride::horizontal;
    static constexpr std::size_t pad_h = resolve_pad(pad::vertical, kernel_h);
    static constexpr std::size_t pad_w = resolve_pad(pad::horizontal, kernel_w);
    static constexpr std::array<LayerSetting, 6> settings{{{"kernel_h", kernel_h},
                                                           {"kernel_w", kernel_w},
                                                           {"stride_h", stride_h},
                                                           {"stride_w", stride_w},
                                                           {"pad_h", pad_h},
                                                           {"pad_w", pad_w}}};

    /// What is wrong with a channels x height x width input, if anything.
    static constexpr Problem problem(ShapeValue in) {
        if (in.rank != 3) return Problem::needs_image_input;
        if (in.dims[0] == 0 || kernel_h == 0 || kernel_w == 0 || stride_h == 0 || stride_w == 0) return Problem::zero_size;
        if ((pad::vertical == same && kernel_h % 2 == 0) || (pad::horizontal == same && kernel_w % 2 == 0))
            return Problem::same_needs_odd_kernel;
        if (kernel_h > in.dims[1] + 2 * pad_h || kernel_w > in.dims[2] + 2 * pad_w) return Problem::window_too_large;
        return Problem::none;
    }
    /// `channels` of the height and width the window gives for `in`, or the problem with `in`.
    static constexpr LayerResult output(ShapeValue in, std::size_t channels) {
        if (const Problem p = problem(in); p != Problem::none) return reject(p);
        return accept(make_shape(channels, window_output(in.dims[1], kernel_h, stride_h, pad_h),
                                 window_output(in.dims[2], kernel_w, stride_w, pad_w)));
    }
};

}  // namespace detail
}  // namespace typenet
