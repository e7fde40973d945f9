// What Sequential, Residual and Concat share: inner layers' tensors under a path, and a work area cut into regions.
#pragma once

#include <array>
#include <cstddef>

#include <typenet/detail/chain.hpp>
#include <typenet/layers/layer.hpp>

namespace typenet::detail {

/// A block's parameters, as ParameterTensorList asks: `Source::tensors` (already under their
/// paths inside the block) and their total size.
template <class Source>
struct block_parameters {
    static constexpr std::size_t tensor_count = Source::tensors.size();
    static constexpr std::size_t size = Source::parameter_count;
    static constexpr std::array<ParameterInfo, tensor_count> tensors = Source::tensors;
};

/// `tensors` of an inner layer that the block reaches as its child `child`, its parameters
/// starting at `offset` within the block's: paths gain `child` in front, offsets `offset`.
template <std::size_t Count>
constexpr std::array<ParameterInfo, Count> under_child(std::array<ParameterInfo, Count> tensors, std::string_view kind,
                                                      std::size_t child, std::size_t offset) {
    for (ParameterInfo& tensor : tensors) {
        if (tensor.kind.empty()) tensor.kind = kind;
        LayerPath path = LayerPath{}.child(child);
        for (std::size_t d = 0; d < tensor.path.depth; ++d) path = path.child(tensor.path.index[d]);
        tensor.path = path;
        tensor.layer = child;
        tensor.offset += offset;
    }
    return tensors;
}

/// Two tensor lists one after another.
template <std::size_t A, std::size_t B>
constexpr std::array<ParameterInfo, A + B> joined(const std::array<ParameterInfo, A>& a, const std::array<ParameterInfo, B>& b) {
    std::array<ParameterInfo, A + B> result{};
    for (std::size_t i = 0; i < A; ++i) result[i] = a[i];
    for (std::size_t i = 0; i < B; ++i) result[A + i] = b[i];
    return result;
}

/// Regions of a block's work area for a batch of B, each on its own line: `sizes` are values
/// per sample. Their total for B samples is at most B times their total for one, so a block
/// declares `regions<1>(...).size` as its per-sample scratch.
template <std::size_t Count>
struct Regions {
    std::array<std::size_t, Count> start{};
    std::size_t size = 0;
};
template <class T, std::size_t B, std::size_t Count>
constexpr Regions<Count> regions(const std::array<std::size_t, Count>& sizes) {
    Regions<Count> result{};
    for (std::size_t i = 0; i < Count; ++i) {
        result.start[i] = result.size;
        result.size += round_to_lines<T>(B * sizes[i]);
    }
    return result;
}

/// A block's per-sample scratch: never zero, so that it always takes the scratch argument.
constexpr std::size_t block_scratch(std::size_t values) { return values > 0 ? values : 1; }

}  // namespace typenet::detail
