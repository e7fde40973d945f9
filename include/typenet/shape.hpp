// Shape<Dims...>: a tensor shape known at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace typenet {

/// The dimensions of a tensor, outermost first: `Shape<8, 13, 13>` is 8 channels of 13x13.
template <std::size_t... Dims>
struct Shape {
    static constexpr std::size_t rank = sizeof...(Dims);
    static constexpr std::size_t size = (std::size_t{1} * ... * Dims);
    static constexpr std::array<std::size_t, rank> dims{Dims...};
};

template <std::size_t... A, std::size_t... B>
constexpr bool operator==(Shape<A...>, Shape<B...>) {
    if constexpr (sizeof...(A) != sizeof...(B)) {
        return false;
    } else {
        return ((A == B) && ...);
    }
}

template <class T>
inline constexpr bool is_shape = false;
template <std::size_t... Dims>
inline constexpr bool is_shape<Shape<Dims...>> = true;

/// Stands where a layer's output would be when the layer rejected its input; the network's
/// check for that layer has already reported the error, so later layers stay silent.
struct InvalidShape {
    static constexpr std::size_t rank = 0;
    static constexpr std::size_t size = 0;
    static constexpr std::array<std::size_t, 0> dims{};
};

/// A shape as a plain value, what a layer's `propagate` reads and returns, so that propagation
/// through N layers is a loop in a constexpr function rather than N nested template instantiations.
struct ShapeValue {
    static constexpr std::size_t max_rank = 4;
    std::size_t rank = 0;
    std::array<std::size_t, max_rank> dims{};
    bool valid = true;

    constexpr std::size_t size() const {
        std::size_t s = 1;
        for (std::size_t i = 0; i < rank; ++i) s *= dims[i];
        return s;
    }
    constexpr bool operator==(const ShapeValue&) const = default;
};

/// A vector of `a` values.
constexpr ShapeValue make_shape(std::size_t a) { return {1, {a, 0, 0, 0}, true}; }
/// `c` channels of `h` x `w`.
constexpr ShapeValue make_shape(std::size_t c, std::size_t h, std::size_t w) {
    return {3, {c, h, w, 0}, true};
}

namespace detail {

using typenet::make_shape;
using typenet::ShapeValue;

inline constexpr ShapeValue invalid_shape{0, {}, false};

template <class S>
constexpr ShapeValue shape_value() {
    ShapeValue v{S::rank, {}, true};
    for (std::size_t i = 0; i < S::rank; ++i) v.dims[i] = S::dims[i];
    return v;
}
template <>
constexpr ShapeValue shape_value<InvalidShape>() {
    return invalid_shape;
}

/// The Shape type of entry I of `Table::shapes` (an array of ShapeValue), or InvalidShape.
/// Read through a type, not a class-type template argument: GCC 12 crashes on the latter.
template <class Table, std::size_t I, class = std::make_index_sequence<Table::shapes[I].rank>>
struct shape_from_table;
template <class Table, std::size_t I, std::size_t... D>
struct shape_from_table<Table, I, std::index_sequence<D...>> {
    using type = std::conditional_t<Table::shapes[I].valid, Shape<Table::shapes[I].dims[D]...>, InvalidShape>;
};

}  // namespace detail

}  // namespace typenet
