// write_png: an 8-bit grey or RGB image to a PNG file, through the stb_image_write library.
#pragma once

#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>

#include <fmt/format.h>
#include <stb/stb_image_write.h>  // implementation comes from -lstb, never defined here

namespace typenet {

/// Writes `pixels` (row-major, `channels` bytes per pixel: 1 = grey, 3 = RGB) to `path`.
/// Throws std::invalid_argument when the sizes disagree and std::runtime_error when the file
/// cannot be written; both messages name the path.
inline void write_png(const std::filesystem::path& path, std::size_t width, std::size_t height,
                      std::size_t channels, std::span<const std::uint8_t> pixels) {
    if (channels != 1 && channels != 3) {
        throw std::invalid_argument(fmt::format(
            "typenet: cannot write PNG '{}': {} channels per pixel, expected 1 (grey) or 3 (RGB)",
            path.string(), channels));
    }
    // stb takes ints; reject what would overflow its row stride before narrowing.
    if (width == 0 || height == 0 || width > INT_MAX / channels || height > INT_MAX) {
        throw std::invalid_argument(fmt::format("typenet: cannot write PNG '{}': invalid size {}x{}",
                                                path.string(), width, height));
    }
    if (pixels.size() != width * height * channels) {
        throw std::invalid_argument(
            fmt::format("typenet: cannot write PNG '{}': {}x{}x{} needs {} bytes, got {}", path.string(),
                        width, height, channels, width * height * channels, pixels.size()));
    }
    const int w = static_cast<int>(width);
    const int h = static_cast<int>(height);
    const int c = static_cast<int>(channels);
    errno = 0;
    if (stbi_write_png(path.string().c_str(), w, h, c, pixels.data(), w * c) == 0) {
        // stb only says "failed"; errno from its fopen/fwrite usually says why.
        const int reason = errno;
        throw std::runtime_error(fmt::format("typenet: cannot write PNG '{}': {}", path.string(),
                                             reason != 0 ? std::strerror(reason) : "write failed"));
    }
}

}  // namespace typenet
