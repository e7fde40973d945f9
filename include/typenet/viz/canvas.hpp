// Canvas: a small RGB8 image with rectangles, min-max scaled float maps and stb_easy_font text.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <typenet/viz/png.hpp>

// stb_easy_font is a C header of static functions written for C compilers; when it is not found
// in a system directory its casts and unused helpers would trip the user's warning flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wshadow"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wimplicit-int-float-conversion"
#endif
#include <stb/stb_easy_font.h>
#pragma GCC diagnostic pop

namespace typenet {

/// An 8-bit RGB colour.
struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    constexpr bool operator==(const Rgb&) const = default;
};

/// The smallest and largest finite value of a map, as used to scale it to grey levels.
struct ValueRange {
    float min = 0;
    float max = 0;
};

namespace detail {

/// The vertex layout stb_easy_font_print writes: x, y, z, then RGBA.
struct EasyFontVertex {
    float x, y, z;
    unsigned char rgba[4];
};
static_assert(sizeof(EasyFontVertex) == 16, "stb_easy_font writes 16-byte vertices");

/// stb_easy_font indexes its glyph table with `c - 32`, so anything outside printable ASCII
/// would read out of bounds; show it as '?' instead.
inline std::string printable_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c != '\n' && (c < 32 || c > 126)) c = '?';
    }
    return out;
}

}  // namespace detail

/// An RGB8 image in memory; everything drawn is clipped to its bounds.
class Canvas {
public:
    /// Height of one text line at scale 1, in pixels (stb_easy_font's line advance).
    static constexpr std::size_t line_height = 12;
    /// Painted for NaN and infinity in maps, a colour no grey level can be confused with.
    static constexpr Rgb non_finite_colour{255, 0, 255};

    Canvas(std::size_t width, std::size_t height, Rgb background = {255, 255, 255})
        : width_(width), height_(height), pixels_(width * height * 3) {
        fill_rect(0, 0, width, height, background);
    }

    [[nodiscard]] std::size_t width() const { return width_; }
    [[nodiscard]] std::size_t height() const { return height_; }
    /// Row-major RGB bytes, ready for write_png.
    [[nodiscard]] std::span<const std::uint8_t> pixels() const { return pixels_; }

    [[nodiscard]] Rgb pixel(std::size_t x, std::size_t y) const {
        const std::uint8_t* p = &pixels_.at((y * width_ + x) * 3);
        return {p[0], p[1], p[2]};
    }

    void set_pixel(std::size_t x, std::size_t y, Rgb colour) {
        if (x >= width_ || y >= height_) return;
        std::uint8_t* p = &pixels_[(y * width_ + x) * 3];
        p[0] = colour.r;
        p[1] = colour.g;
        p[2] = colour.b;
    }

    void fill_rect(std::size_t x, std::size_t y, std::size_t w, std::size_t h, Rgb colour) {
        const std::size_t x_end = std::min(width_, x + w);
        const std::size_t y_end = std::min(height_, y + h);
        for (std::size_t row = y; row < y_end; ++row) {
            for (std::size_t col = x; col < x_end; ++col) set_pixel(col, row, colour);
        }
    }

    /// A `thickness`-pixel frame drawn inside the rectangle.
    void stroke_rect(std::size_t x, std::size_t y, std::size_t w, std::size_t h, Rgb colour,
                     std::size_t thickness = 1) {
        const std::size_t t = std::min({thickness, w, h});
        fill_rect(x, y, w, t, colour);
        fill_rect(x, y + h - t, w, t, colour);
        fill_rect(x, y, t, h, colour);
        fill_rect(x + w - t, y, t, h, colour);
    }

    /// Draws a `map_height` x `map_width` map at (x, y), each value a `scale` x `scale` block
    /// (nearest neighbour, so single activations stay visible as squares). Grey levels span the
    /// map's own range: its minimum is black, its maximum white, a constant map mid-grey.
    /// Returns that range.
    ValueRange draw_map(std::size_t x, std::size_t y, std::span<const float> values, std::size_t map_height,
                        std::size_t map_width, std::size_t scale = 1) {
        if (values.size() != map_height * map_width) {
            throw std::invalid_argument(fmt::format("typenet: Canvas::draw_map: a {}x{} map needs {} values, got {}",
                                                    map_height, map_width, map_height * map_width, values.size()));
        }
        ValueRange range{std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
        for (float v : values) {
            if (!std::isfinite(v)) continue;
            range.min = std::min(range.min, v);
            range.max = std::max(range.max, v);
        }
        if (range.min > range.max) range = {};  // nothing finite
        // Subtract in double: the span of two large floats may overflow float.
        const double span = static_cast<double>(range.max) - static_cast<double>(range.min);
        for (std::size_t row = 0; row < map_height; ++row) {
            for (std::size_t col = 0; col < map_width; ++col) {
                const float v = values[row * map_width + col];
                Rgb colour = non_finite_colour;
                if (std::isfinite(v)) {
                    const double level = span > 0 ? (static_cast<double>(v) - range.min) / span * 255.0 : 128.0;
                    const auto grey = static_cast<std::uint8_t>(std::lround(level));
                    colour = {grey, grey, grey};
                }
                fill_rect(x + col * scale, y + row * scale, scale, scale, colour);
            }
        }
        return range;
    }

    /// Draws `text` with its top-left corner at (x, y); every font pixel becomes a
    /// `scale` x `scale` block. '\n' starts a new line.
    void draw_text(std::size_t x, std::size_t y, std::string_view text, Rgb colour, std::size_t scale = 1) {
        std::string ascii = detail::printable_ascii(text);
        // stb_easy_font silently truncates a full buffer; no glyph has more than 11 segments
        // (one quad, four vertices each), so 12 quads per character always suffice.
        std::vector<detail::EasyFontVertex> quads(ascii.size() * 12 * 4);
        const int quad_count = stb_easy_font_print(0, 0, ascii.data(), nullptr, quads.data(),
                                                   static_cast<int>(quads.size() * sizeof(detail::EasyFontVertex)));
        // Each quad is an axis-aligned rectangle given by its four corners.
        for (int q = 0; q < quad_count; ++q) {
            const auto* corner = &quads[static_cast<std::size_t>(q) * 4];
            float x0 = corner[0].x, x1 = corner[0].x, y0 = corner[0].y, y1 = corner[0].y;
            for (int i = 1; i < 4; ++i) {
                x0 = std::min(x0, corner[i].x);
                x1 = std::max(x1, corner[i].x);
                y0 = std::min(y0, corner[i].y);
                y1 = std::max(y1, corner[i].y);
            }
            const auto px0 = static_cast<std::size_t>(std::lround(x0 * static_cast<float>(scale)));
            const auto px1 = static_cast<std::size_t>(std::lround(x1 * static_cast<float>(scale)));
            const auto py0 = static_cast<std::size_t>(std::lround(y0 * static_cast<float>(scale)));
            const auto py1 = static_cast<std::size_t>(std::lround(y1 * static_cast<float>(scale)));
            fill_rect(x + px0, y + py0, px1 - px0, py1 - py0, colour);
        }
    }

    /// Width in pixels of the widest line of `text` as draw_text draws it.
    [[nodiscard]] static std::size_t text_width(std::string_view text, std::size_t scale = 1) {
        std::string ascii = detail::printable_ascii(text);
        return static_cast<std::size_t>(stb_easy_font_width(ascii.data())) * scale;
    }

    /// Height in pixels of the lines of `text`: line_height per line.
    [[nodiscard]] static std::size_t text_height(std::string_view text, std::size_t scale = 1) {
        const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        return lines * line_height * scale;
    }

    void save(const std::filesystem::path& path) const { write_png(path, width_, height_, 3, pixels_); }

private:
    std::size_t width_;
    std::size_t height_;
    std::vector<std::uint8_t> pixels_;
};

}  // namespace typenet
