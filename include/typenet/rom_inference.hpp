// RomInference<Net, Exported>: runs a network on parameters it reads in place from a constexpr array (flash).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <utility>

#include <typenet/inference.hpp>
#include <typenet/network.hpp>
#include <typenet/signature.hpp>

namespace typenet {

/// A type holding a network's parameters where they can stay: `static constexpr std::array<T, N>
/// parameters` and the `std::string_view signature` of the network they belong to, as
/// `export_header` writes it (<typenet/io/export.hpp>).
template <class Exported>
concept ExportedParameters = requires {
    { Exported::signature } -> std::convertible_to<std::string_view>;
    Exported::parameters.size();
    Exported::parameters.data();
};

namespace detail {

/// Where the part of `text` that starts at `from` ends: at the next "; ", or at the end. By index,
/// not string_view::find: under -fsanitize=null GCC drops its assumption that objects are not at
/// address 0 and can no longer evaluate find's pointer test on a constexpr string at compile time.
constexpr std::size_t part_end(std::string_view text, std::size_t from) {
    for (std::size_t i = from; i + 1 < text.size(); ++i)
        if (text[i] == ';' && text[i + 1] == ' ') return i;
    return text.size();
}

/// The first "; "-separated part in which two signatures differ: 0 the scalar type, 1 the input,
/// 2 + i layer i (one past the shorter list if only the layer count differs); npos if none.
constexpr std::size_t first_differing_part(std::string_view a, std::string_view b) {
    std::size_t a_from = 0, b_from = 0;
    for (std::size_t part = 0;; ++part) {
        const std::size_t a_end = part_end(a, a_from), b_end = part_end(b, b_from);
        if (a_end - a_from != b_end - b_from) return part;
        for (std::size_t i = 0; i < a_end - a_from; ++i)
            if (a[a_from + i] != b[b_from + i]) return part;
        const bool a_done = a_end == a.size(), b_done = b_end == b.size();
        if (a_done && b_done) return std::string_view::npos;
        if (a_done || b_done) return part + 1;
        a_from = a_end + 2;
        b_from = b_end + 2;
    }
}

template <class Exported, class Net>
inline constexpr std::size_t first_difference =
    first_differing_part(std::string_view(Exported::signature), network_signature<Net>.view());

// Each check is a variable template whose arguments are what the user needs to see (the layer's
// index and type first), so that both GCC and Clang print them in the failing static_assert.
template <class Scalar, class Exported, class Net>
inline constexpr bool exported_scalar_fits = first_difference<Exported, Net> != 0;
template <class InputShape, class Exported, class Net>
inline constexpr bool exported_input_fits = first_difference<Exported, Net> != 1;
template <std::size_t Index, class Layer, class Exported, class Net>
inline constexpr bool exported_layer_fits = first_difference<Exported, Net> != Index + 2;
template <class Exported, class Net>
inline constexpr bool exported_layer_count_fits = first_difference<Exported, Net> != Net::layer_count + 2;

template <std::size_t Index, class Layer, class Exported, class Net>
struct exported_layer_check {
    static_assert(exported_layer_fits<Index, Layer, Exported, Net>,
                  "typenet: this layer of Net differs from the network the parameters in Exported were exported "
                  "from (Exported::signature, also the first line of its header, names that network)");
    static constexpr bool ok = true;
};

/// Instantiated with the exported parameters and the network they are used with; if the networks
/// differ, the error names the first difference: the scalar type, the input shape, or the layer
/// (its index from 0 and type), with `Exported` and `Net` in the same line.
template <class Exported, class Net>
struct exported_network_check {
    static_assert(exported_scalar_fits<typename Net::scalar_type, Exported, Net>,
                  "typenet: the parameters in Exported were exported from a network of another scalar type than "
                  "Net's (Exported::signature, also the first line of its header, names that network)");
    static_assert(exported_input_fits<typename Net::input_shape_type, Exported, Net>,
                  "typenet: the parameters in Exported were exported from a network with another input shape "
                  "than Net's (Exported::signature, also the first line of its header, names that network)");
    static constexpr bool layers_fit = []<std::size_t... I>(std::index_sequence<I...>) {
        return (exported_layer_check<I, typename Net::template layer_type<I>, Exported, Net>::ok && ...);
    }(std::make_index_sequence<Net::layer_count>{});
    static_assert(exported_layer_count_fits<Exported, Net>,
                  "typenet: the network the parameters in Exported were exported from has more layers than Net "
                  "(Exported::signature, also the first line of its header, names that network)");
    static_assert(Exported::parameters.size() == Net::parameter_count,
                  "typenet: Exported holds a different number of parameters than Net has");
    static constexpr bool ok = layers_fit;
};

}  // namespace detail

/// `Exported::parameters`, checked at compile time to belong to `Net` (RomInference makes the same
/// check): a different network is a compile error naming the first difference. For copies, e.g.
/// `net.parameters().values = parameters_for<Net, seed_mnist>();` before fine-tuning.
template <class Net, ExportedParameters Exported>
constexpr const auto& parameters_for() {
    static_assert(detail::exported_network_check<Exported, Net>::ok);
    return Exported::parameters;
}

/// Runs `Net` forward on the parameters of `Exported` (a header written by `export_header`),
/// reading them in place from wherever the array lives, read-only memory included. The object
/// holds only two activation buffers and one scratch area: `sizeof == Net::ram_bytes`, and the
/// parameters take `Net::flash_bytes`. Works in constant evaluation too, so a compiler can
/// classify an input. Using parameters exported from a different network does not compile.
/// See tests/static/mnist_at_compile_time_test.cpp.
template <class Net, ExportedParameters Exported>
class RomInference {
    static_assert(detail::exported_network_check<Exported, Net>::ok);

public:
    using input_tensor = typename Net::input_tensor;
    using output_view = typename detail::ForwardBuffers<Net>::output_view;

    /// Runs every layer on `x`; the result stays valid until the next call.
    constexpr output_view predict(const input_tensor& x) {
        static_assert(sizeof(RomInference) == Net::ram_bytes,
                      "typenet: internal error: ram_bytes does not match RomInference's size");
        return buffers_.run(Exported::parameters.data(), x);
    }

private:
    detail::ForwardBuffers<Net> buffers_{};
};

}  // namespace typenet
