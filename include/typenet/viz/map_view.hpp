// MapView: borrowed channel-major activations with a title, what the previews draw.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace typenet {

/// `channels` maps of `height` x `width` values, channel-major (`values[(c * height + y) * width + x]`).
/// Borrows `values`: they must outlive every use of the view.
struct MapView {
    std::string title;
    std::size_t channels = 0;
    std::size_t height = 0;
    std::size_t width = 0;
    const float* values = nullptr;

    [[nodiscard]] std::size_t size() const { return channels * height * width; }
    /// The values of one channel.
    [[nodiscard]] std::span<const float> channel(std::size_t c) const {
        return {values + c * height * width, height * width};
    }
};

}  // namespace typenet
