// network_signature<Net>: a constexpr text naming a network's scalar type, input and every layer setting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <utility>

#include <typenet/network.hpp>

namespace typenet {

/// Text of a length fixed at compile time, built in constant evaluation; `view()` reads it.
template <std::size_t Length>
struct FixedText {
    char chars[Length + 1]{};

    static constexpr std::size_t size() { return Length; }
    constexpr std::string_view view() const { return {chars, Length}; }
    constexpr operator std::string_view() const { return view(); }
};

namespace detail {

/// Appends text, or only counts it when it has no buffer, so one writer first measures a text
/// and then fills a FixedText of exactly that length.
struct TextSink {
    char* out = nullptr;
    std::size_t length = 0;

    constexpr void put(std::string_view text) {
        for (const char c : text) {
            if (out) out[length] = c;
            ++length;
        }
    }
    constexpr void put(std::intmax_t value) {
        if (value < 0) put("-");
        // Digits of the magnitude, least significant first; unsigned so INTMAX_MIN is no overflow.
        std::uintmax_t magnitude = value < 0 ? std::uintmax_t(0) - std::uintmax_t(value) : std::uintmax_t(value);
        char digits[std::numeric_limits<std::uintmax_t>::digits10 + 1]{};
        std::size_t count = 0;
        do {
            digits[count++] = char('0' + magnitude % 10);
            magnitude /= 10;
        } while (magnitude > 0);
        while (count > 0) put(std::string_view(&digits[--count], 1));
    }
};

template <class S>
constexpr void put_shape(TextSink& sink) {
    for (std::size_t d = 0; d < S::rank; ++d) {
        if (d > 0) sink.put("x");
        sink.put(std::intmax_t(S::dims[d]));
    }
}

constexpr void put_shape(TextSink& sink, const ShapeValue& shape) {
    for (std::size_t d = 0; d < shape.rank; ++d) {
        if (d > 0) sink.put("x");
        sink.put(std::intmax_t(shape.dims[d]));
    }
}

template <class List>
struct put_children;

/// "Conv2D filters=8 ... -> 8x13x13": a layer's kind, settings and output shape; a block's inner
/// layers follow its settings in braces, so that the signature changes with any of them.
template <class Layer>
constexpr void put_layer(TextSink& sink, ShapeValue input) {
    static_assert(requires { Layer::settings; },
                  "typenet: a network's signature needs every layer to list its options in "
                  "`static constexpr std::array<detail::LayerSetting, N> settings` (see layers/conv2d.hpp)");
    sink.put(Layer::kind);
    for (const auto& [name, value] : Layer::settings) {
        sink.put(" ");
        sink.put(name);
        sink.put("=");
        sink.put(std::intmax_t(value));
    }
    if constexpr (requires { typename Layer::children; }) {
        sink.put(" {");
        put_children<typename Layer::children>::put(sink, Layer::child_inputs(input));
        sink.put("}");
    }
    sink.put(" -> ");
    put_shape(sink, Layer::propagate(input).output);
}

template <template <class...> class List, class... Children>
struct put_children<List<Children...>> {
    template <class Inputs>
    static constexpr void put(TextSink& sink, const Inputs& inputs) {
        std::size_t k = 0;
        ((sink.put(k == 0 ? "" : "; "), put_layer<Children>(sink, inputs[k]), ++k), ...);
    }
};

template <class Net, std::size_t I>
constexpr void put_layer(TextSink& sink) {
    sink.put("; ");
    if constexpr (I == 0)
        put_layer<typename Net::template layer_type<I>>(sink, shape_value<typename Net::input_shape_type>());
    else
        put_layer<typename Net::template layer_type<I>>(sink, shape_value<typename Net::template shape_type<I - 1>>());
}

template <class Net>
constexpr void put_signature(TextSink& sink) {
    using T = typename Net::scalar_type;
    sink.put(std::intmax_t(sizeof(T)));
    sink.put(std::is_floating_point_v<T> ? "-byte float (" : "-byte number (");
    sink.put(std::intmax_t(std::numeric_limits<T>::digits));
    sink.put(" digits); input ");
    put_shape<typename Net::input_shape_type>(sink);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (put_layer<Net, I>(sink), ...);
    }(std::make_index_sequence<Net::layer_count>{});
}

template <class Net>
constexpr std::size_t signature_length() {
    TextSink counter;
    put_signature<Net>(counter);
    return counter.length;
}

template <class Net>
constexpr FixedText<signature_length<Net>()> make_signature() {
    FixedText<signature_length<Net>()> text;
    TextSink sink{text.chars};
    put_signature<Net>(sink);
    return text;
}

}  // namespace detail

/// What must match for parameters to fit a network, e.g. "4-byte float (24 digits); input
/// 1x28x28; Conv2D filters=8 kernel_h=3 kernel_w=3 stride_h=2 stride_w=2 pad_h=0 pad_w=0 ->
/// 8x13x13; LeakyReLU alpha_num=1 alpha_den=1000 -> 8x13x13; ...": the scalar, the input and every
/// layer's kind and settings (defaults and `Pad<same>` resolved, so option order does not matter)
/// with its output shape. Known at compile time, so exported parameters are checked by the
/// compiler (see RomInference); the same text as the weights file's layout.
template <class Net>
inline constexpr auto network_signature = detail::make_signature<Net>();

}  // namespace typenet
