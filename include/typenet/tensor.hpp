// Tensor<Shape, T>: fixed-size, aligned, heap-free storage; TensorView: the same indexing over borrowed memory.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include <typenet/shape.hpp>

namespace typenet {

/// 64 bytes: one cache line, and the widest SIMD register (AVX-512) loads from it unsplit.
inline constexpr std::size_t tensor_alignment = 64;

namespace detail {

template <class S, class... Index>
constexpr std::size_t flat_index(Index... index) {
    static_assert(sizeof...(Index) == S::rank, "typenet: a tensor needs one index per dimension");
    const std::array<std::size_t, S::rank> idx{static_cast<std::size_t>(index)...};
    std::size_t offset = 0;
    for (std::size_t d = 0; d < S::rank; ++d) offset = offset * S::dims[d] + idx[d];
    return offset;
}

}  // namespace detail

/// A non-owning view with the same compile-time shape rules as Tensor; `T` may be const.
template <class S, class T = float>
struct TensorView {
    using shape_type = S;
    using value_type = std::remove_const_t<T>;
    static constexpr std::size_t rank = S::rank;

    T* values = nullptr;

    static constexpr std::size_t size() { return S::size; }
    static constexpr S shape() { return {}; }
    constexpr T* data() const { return values; }
    constexpr T* begin() const { return values; }
    constexpr T* end() const { return values + S::size; }
    constexpr T& operator[](std::size_t i) const { return values[i]; }
    template <class... Index>
    constexpr T& operator()(Index... index) const {
        return values[detail::flat_index<S>(index...)];
    }
    constexpr operator TensorView<S, const T>() const
        requires(!std::is_const_v<T>)
    {
        return {values};
    }
};

/// B samples of shape S stored one after another: `x[b]` is sample b as a TensorView<S, T>.
/// What a layer's batched forward and backward (see BatchedLayer in layers/layer.hpp) are given.
template <class S, std::size_t B, class T = float>
struct BatchView {
    using shape_type = S;
    using value_type = std::remove_const_t<T>;
    static constexpr std::size_t batch = B;
    static constexpr std::size_t sample_size = S::size;

    T* values = nullptr;

    /// Values in all B samples.
    static constexpr std::size_t size() { return B * S::size; }
    constexpr T* data() const { return values; }
    constexpr T* begin() const { return values; }
    constexpr T* end() const { return values + size(); }
    constexpr TensorView<S, T> operator[](std::size_t b) const { return {values + b * S::size}; }
    constexpr operator BatchView<S, B, const T>() const
        requires(!std::is_const_v<T>)
    {
        return {values};
    }
};

/// Owns `S::size` values of `T` in an aligned std::array: no heap, usable in constexpr code.
/// Indexed as `t(c, y, x)`, outermost dimension first (row-major).
template <class S, class T = float>
struct Tensor {
    static_assert(is_shape<S>, "typenet: Tensor<S, T> requires S to be a Shape<...>");
    using shape_type = S;
    using value_type = T;
    static constexpr std::size_t rank = S::rank;

    alignas(tensor_alignment) std::array<T, S::size> values{};

    static constexpr std::size_t size() { return S::size; }
    static constexpr S shape() { return {}; }
    constexpr T* data() { return values.data(); }
    constexpr const T* data() const { return values.data(); }
    constexpr T* begin() { return values.data(); }
    constexpr T* end() { return values.data() + S::size; }
    constexpr const T* begin() const { return values.data(); }
    constexpr const T* end() const { return values.data() + S::size; }
    constexpr T& operator[](std::size_t i) { return values[i]; }
    constexpr const T& operator[](std::size_t i) const { return values[i]; }
    template <class... Index>
    constexpr T& operator()(Index... index) {
        return values[detail::flat_index<S>(index...)];
    }
    template <class... Index>
    constexpr const T& operator()(Index... index) const {
        return values[detail::flat_index<S>(index...)];
    }
    constexpr void fill(T value) { values.fill(value); }

    constexpr TensorView<S, T> view() { return {values.data()}; }
    constexpr TensorView<S, const T> view() const { return {values.data()}; }
    constexpr operator TensorView<S, T>() { return view(); }
    constexpr operator TensorView<S, const T>() const { return view(); }

    constexpr bool operator==(const Tensor&) const = default;
};

/// Value equality of a view and a tensor or view of the same shape: what `output_of<I>() ==
/// expected` means.
template <class S, class A, class B>
constexpr bool operator==(TensorView<S, A> a, TensorView<S, B> b) {
    for (std::size_t i = 0; i < S::size; ++i)
        if (!(a[i] == b[i])) return false;
    return true;
}
template <class S, class A, class T>
constexpr bool operator==(TensorView<S, A> a, const Tensor<S, T>& b) {
    return a == b.view();
}

/// The index of the largest output value (the first, on a tie): the predicted class.
template <class View>
constexpr std::size_t predicted_class(const View& output) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < output.size(); ++i)
        if (output[i] > output[best]) best = i;
    return best;
}

/// The bytes a `Tensor` of `Count` values of `T` takes: rounded up to whole 64-byte lines, since
/// each tensor starts on its own line. Zero values take no bytes (see `TensorStorage`).
template <class T>
constexpr std::size_t tensor_bytes(std::size_t count) {
    return count == 0 ? 0 : (count * sizeof(T) + tensor_alignment - 1) / tensor_alignment * tensor_alignment;
}

namespace detail {

/// Stands in for a tensor of no values: an empty class that, as a `[[no_unique_address]]`
/// member, takes no bytes, where a `Tensor<Shape<0>>` would still take a 64-byte line.
template <class T>
struct NoValues {
    static constexpr std::size_t size() { return 0; }
    constexpr T* data() { return nullptr; }
    constexpr const T* data() const { return nullptr; }
};

}  // namespace detail

/// `Count` values of `T` that may be none, e.g. the scratch of layers that need none. Declare the
/// member `[[no_unique_address]]`, so that `sizeof` matches `tensor_bytes<T>(Count)` either way.
template <std::size_t Count, class T>
using TensorStorage = std::conditional_t<Count == 0, detail::NoValues<T>, Tensor<Shape<Count>, T>>;

}  // namespace typenet
