// write_png: an 8-bit grey or RGB image to a PNG file, through the stb_image_write library.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <stb/stb_image_write.h>  // implementation comes from -lstb, never defined here

#include <typenet/io/atomic_file.hpp>

namespace typenet {

/// Writes `pixels` (row-major, `channels` bytes per pixel: 1 = grey, 3 = RGB) to `path`.
/// Throws std::invalid_argument when the sizes disagree and std::runtime_error (file_error) when
/// the file cannot be written; both messages name the path. The file is replaced atomically.
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
    // Encoded in memory because stb's own file writer ignores failed writes; the file is then
    // replaced atomically, so a failed write leaves the previous picture.
    std::vector<std::byte> png;
    const auto append = [](void* context, void* data, int size) {
        auto* out = static_cast<std::vector<std::byte>*>(context);
        const auto* bytes = static_cast<const std::byte*>(data);
        out->insert(out->end(), bytes, bytes + size);
    };
    if (stbi_write_png_to_func(append, &png, w, h, c, pixels.data(), w * c) == 0) {
        throw std::runtime_error(fmt::format("typenet: cannot write PNG '{}': encoding failed", path.string()));
    }
    write_file_atomically(path, png);
}

}  // namespace typenet
