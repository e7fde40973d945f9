// feature_maps / input_map: a network's last forward pass as MapViews for write_preview.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <typenet/viz/map_view.hpp>

namespace typenet {

/// What the preview needs from a network: its layer count, the input and, through the
/// templates `shape_at<I>`, `layer_kind<I>` and `output_of<I>()`, each layer. Only float
/// activations can be viewed without a copy.
template <class Net>
concept PreviewableNetwork = requires(const Net& net) {
    { Net::layer_count } -> std::convertible_to<std::size_t>;
    { net.input().data() } -> std::same_as<const float*>;
};

namespace detail {

/// A view of a Shape of rank 1 to 3, padded on the left to channels x height x width.
template <class S>
MapView map_of(std::string title, const float* values) {
    constexpr auto& d = S::dims;
    if constexpr (S::rank == 3) {
        return {std::move(title), d[0], d[1], d[2], values};
    } else if constexpr (S::rank == 2) {
        return {std::move(title), 1, d[0], d[1], values};
    } else {
        static_assert(S::rank == 1, "typenet: input_map requires an input of rank 1, 2 or 3");
        return {std::move(title), 1, 1, d[0], values};
    }
}

template <class S>
std::string dims_text() {
    std::string text;
    for (std::size_t i = 0; i < S::rank; ++i) text += fmt::format("{}{}", i == 0 ? "" : "x", S::dims[i]);
    return text;
}

}  // namespace detail

/// The input of `net`'s last forward pass, titled "input CxHxW".
template <PreviewableNetwork Net>
MapView input_map(const Net& net) {
    using S = std::remove_cvref_t<decltype(Net::input_shape)>;
    return detail::map_of<S>(fmt::format("input {}", detail::dims_text<S>()), net.input().data());
}

/// Every rank-3 (channels x height x width) layer output of `net`'s last forward pass, titled
/// "<index> <kind> CxHxW" ("2 MaxPool 8x6x6"). The views borrow the network's activations:
/// they are valid until its next forward pass.
template <PreviewableNetwork Net>
std::vector<MapView> feature_maps(const Net& net) {
    std::vector<MapView> maps;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (
            [&] {
                using S = std::remove_cvref_t<decltype(Net::template shape_at<I>)>;
                if constexpr (S::rank == 3) {
                    const std::string title =
                        fmt::format("{} {} {}", I, Net::template layer_kind<I>, detail::dims_text<S>());
                    maps.push_back(detail::map_of<S>(title, net.template output_of<I>().data()));
                }
            }(),
            ...);
    }(std::make_index_sequence<Net::layer_count>{});
    return maps;
}

}  // namespace typenet
