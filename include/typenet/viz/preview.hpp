// write_preview: one PNG showing an input, every layer's feature maps and the output scores.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <typenet/viz/canvas.hpp>
#include <typenet/viz/map_view.hpp>

namespace typenet {

struct PixelSize {
    std::size_t width = 0;
    std::size_t height = 0;
    constexpr bool operator==(const PixelSize&) const = default;
};

struct PixelRect {
    std::size_t x = 0;
    std::size_t y = 0;
    std::size_t width = 0;
    std::size_t height = 0;
};

/// Where one view goes: its title line and one tile per channel.
struct PreviewBlock {
    PixelRect title;
    std::size_t scale = 1;  ///< each value is drawn as a scale x scale square
    std::vector<PixelRect> tiles;
};

/// Where everything in a preview goes; it depends only on the views' titles and sizes and on the
/// number of classes, never on the values, so every preview of one network has the same size.
struct PreviewLayout {
    PixelSize size;
    PreviewBlock input;
    std::vector<PreviewBlock> maps;
    // The score chart; `bars.width == 0` when there are no scores.
    PixelRect chart_title;
    PixelRect bars;  ///< plotting area, class i in the slot at bars.x + i * slot_width
    std::size_t slot_width = 0;
    std::size_t bar_width = 0;
    std::size_t label_every = 1;  ///< class labels under every n-th bar
    std::size_t label_scale = 1;
    std::size_t value_row_y = 0;  ///< score values above the bars (two text lines high), when they fit
    std::size_t label_row_y = 0;  ///< class indices
    std::size_t legend_y = 0;
};

namespace detail {

struct PreviewStyle {
    static constexpr std::size_t margin = 16;
    static constexpr std::size_t tile_gap = 6;  // room for a 1-pixel frame around each tile
    static constexpr std::size_t section_gap = 20;
    static constexpr std::size_t title_scale = 2;
    static constexpr std::size_t title_gap = 4;
    static constexpr std::size_t input_side = 112;  // the input is drawn at least this big
    static constexpr std::size_t map_side = 48;     // and every feature map at least this big
    static constexpr std::size_t min_content_width = 800;
    static constexpr std::size_t chart_gap = 48;  // between the input and the score chart
    static constexpr std::size_t chart_height = 140;
    static constexpr std::size_t swatch = 12;

    static constexpr Rgb background{255, 255, 255};
    static constexpr Rgb text{35, 35, 35};
    static constexpr Rgb muted{120, 120, 120};
    static constexpr Rgb frame{200, 200, 200};
    static constexpr Rgb bar{165, 172, 185};
    // Okabe-Ito green and orange: distinct for the common colour-vision deficiencies.
    static constexpr Rgb expected{0, 158, 115};
    static constexpr Rgb predicted{230, 159, 0};
};

/// Smallest integer upscale that makes the longer side of a height x width map at least `side`.
inline std::size_t upscale_for(std::size_t height, std::size_t width, std::size_t side) {
    const std::size_t longest = std::max(height, width);
    if (longest == 0) return 1;
    return std::max<std::size_t>(1, (side + longest - 1) / longest);
}

/// Lays out a view's title and tiles from (x, y), wrapping tiles at x + max_width (at least one
/// per row). Returns the block; `right` and `bottom` receive its extent.
inline PreviewBlock layout_block(const MapView& view, std::size_t side, std::size_t x, std::size_t y,
                                 std::size_t max_width, std::size_t& right, std::size_t& bottom) {
    using S = PreviewStyle;
    PreviewBlock block;
    block.title = {x, y, Canvas::text_width(view.title, S::title_scale),
                   Canvas::text_height(view.title, S::title_scale)};
    block.scale = upscale_for(view.height, view.width, side);
    right = x + block.title.width;
    bottom = y + block.title.height;
    if (view.size() == 0) return block;

    const std::size_t tile_w = view.width * block.scale;
    const std::size_t tile_h = view.height * block.scale;
    const std::size_t top = bottom + S::title_gap;
    std::size_t col = x;
    std::size_t row = top;
    for (std::size_t c = 0; c < view.channels; ++c) {
        if (col != x && col + tile_w > x + max_width) {
            col = x;
            row += tile_h + S::tile_gap;
        }
        block.tiles.push_back({col, row, tile_w, tile_h});
        right = std::max(right, col + tile_w);
        col += tile_w + S::tile_gap;
    }
    bottom = row + tile_h;
    return block;
}

inline std::string legend_expected(std::size_t expected) { return fmt::format("expected {},", expected); }
inline std::string legend_predicted(std::size_t predicted) { return fmt::format("predicted {}", predicted); }

/// A score short enough to sit above its bar.
inline std::string format_score(float score) {
    const float magnitude = std::fabs(score);
    if (magnitude < 10) return fmt::format("{:.2f}", score);
    if (magnitude < 100) return fmt::format("{:.1f}", score);
    return fmt::format("{:.3g}", score);
}

inline void check_view(const MapView& view) {
    if (view.values == nullptr && view.size() != 0) {
        throw std::invalid_argument(fmt::format("typenet: preview view '{}' ({}x{}x{}) has no values", view.title,
                                                view.channels, view.height, view.width));
    }
}

}  // namespace detail

/// The layout write_preview uses for these views and `classes` scores.
inline PreviewLayout preview_layout(const MapView& input, std::span<const MapView> maps, std::size_t classes) {
    using S = detail::PreviewStyle;
    PreviewLayout layout;
    std::size_t right = 0;
    std::size_t bottom = 0;

    // Top band: the input on the left, the score chart beside it.
    layout.input = detail::layout_block(input, S::input_side, S::margin, S::margin, S::min_content_width / 2, right,
                                        bottom);
    std::size_t band_right = right;
    std::size_t band_bottom = bottom;

    if (classes > 0) {
        const std::size_t x = right + S::chart_gap;
        layout.slot_width = classes <= 10 ? 56 : classes <= 20 ? 36 : classes <= 60 ? 14 : 6;
        layout.bar_width = layout.slot_width <= 6 ? layout.slot_width - 1 : layout.slot_width - 8;
        layout.label_every = classes <= 20 ? 1 : classes <= 60 ? 5 : 10;
        layout.label_scale = classes <= 20 ? 2 : 1;
        layout.chart_title = {x, S::margin, Canvas::text_width("scores", S::title_scale),
                              Canvas::text_height("scores", S::title_scale)};
        layout.value_row_y = S::margin + layout.chart_title.height + S::title_gap;
        layout.bars = {x, layout.value_row_y + 2 * Canvas::line_height, classes * layout.slot_width, S::chart_height};
        layout.label_row_y = layout.bars.y + layout.bars.height + 4;
        layout.legend_y = layout.label_row_y + Canvas::line_height * layout.label_scale + 8;

        // The widest legend: both numbers as long as they can be, so the size never depends on them.
        const std::size_t legend_width = S::swatch + 6 +
                                         Canvas::text_width(detail::legend_expected(classes - 1), S::title_scale) +
                                         12 + S::swatch + 6 +
                                         Canvas::text_width(detail::legend_predicted(classes - 1), S::title_scale);
        band_right = std::max({band_right, layout.bars.x + layout.bars.width, x + legend_width,
                               x + layout.chart_title.width});
        band_bottom = std::max(band_bottom, layout.legend_y + Canvas::text_height("", S::title_scale));
    }

    const std::size_t content_width = std::max(S::min_content_width, band_right - S::margin);
    std::size_t width = S::margin + content_width;
    std::size_t y = band_bottom + S::section_gap;
    for (const MapView& map : maps) {
        layout.maps.push_back(detail::layout_block(map, S::map_side, S::margin, y, content_width, right, bottom));
        width = std::max(width, right);
        y = bottom + S::section_gap;
    }
    layout.size = {width + S::margin, y - S::section_gap + S::margin};
    return layout;
}

/// The (width, height) of the PNG write_preview makes for these views and `classes` scores.
inline PixelSize preview_size(const MapView& input, std::span<const MapView> maps, std::size_t classes) {
    return preview_layout(input, maps, classes).size;
}

/// Writes one PNG with `input`, each map's channels as tiles (every channel scaled to its own
/// range: black = its minimum, white = its maximum, magenta = NaN/inf) and a bar chart of `scores`
/// where the `expected` and `predicted` classes are coloured. Creates missing parent directories.
/// Throws std::invalid_argument for a view without values and std::runtime_error when the file
/// cannot be written.
inline void write_preview(const std::filesystem::path& path, const MapView& input, std::span<const MapView> maps,
                          std::span<const float> scores, std::size_t expected, std::size_t predicted) {
    using S = detail::PreviewStyle;
    detail::check_view(input);
    for (const MapView& map : maps) detail::check_view(map);
    const PreviewLayout layout = preview_layout(input, maps, scores.size());
    Canvas canvas(layout.size.width, layout.size.height, S::background);

    auto draw_block = [&](const PreviewBlock& block, const MapView& view, bool show_range) {
        canvas.draw_text(block.title.x, block.title.y, view.title, S::text, S::title_scale);
        ValueRange all{0, 0};
        for (std::size_t c = 0; c < block.tiles.size(); ++c) {
            const PixelRect& t = block.tiles[c];
            canvas.stroke_rect(t.x - 1, t.y - 1, t.width + 2, t.height + 2, S::frame);
            const ValueRange r = canvas.draw_map(t.x, t.y, view.channel(c), view.height, view.width, block.scale);
            all = c == 0 ? r : ValueRange{std::min(all.min, r.min), std::max(all.max, r.max)};
        }
        // The layer's overall range, since each tile hides its own scale: an all-zero layer
        // (dead ReLUs) would otherwise look like any flat grey map.
        if (show_range && !block.tiles.empty()) {
            const std::string range = fmt::format("values {:.3g} .. {:.3g}", all.min, all.max);
            canvas.draw_text(block.title.x + block.title.width + 24, block.title.y, range, S::muted, S::title_scale);
        }
    };
    draw_block(layout.input, input, false);
    for (std::size_t i = 0; i < maps.size(); ++i) draw_block(layout.maps[i], maps[i], true);

    if (!scores.empty()) {
        canvas.draw_text(layout.chart_title.x, layout.chart_title.y, "scores", S::text, S::title_scale);
        // Bars grow from zero, so the range always includes it (logits may be negative).
        float lo = 0;
        float hi = 0;
        for (float s : scores) {
            if (!std::isfinite(s)) continue;
            lo = std::min(lo, s);
            hi = std::max(hi, s);
        }
        if (hi == lo) hi = lo + 1;
        const PixelRect& area = layout.bars;
        const auto y_of = [&](float v) {
            const double f = (static_cast<double>(hi) - v) / (static_cast<double>(hi) - lo);
            return area.y + static_cast<std::size_t>(std::lround(f * static_cast<double>(area.height)));
        };
        const std::size_t zero_y = y_of(0);
        // Score values in large print when all fit their slots, else small print, else none.
        std::vector<std::string> values;
        std::size_t widest = 0;
        for (float s : scores) {
            values.push_back(std::isfinite(s) ? detail::format_score(s) : "nan");
            widest = std::max(widest, Canvas::text_width(values.back()));
        }
        const std::size_t value_scale = layout.label_every != 1            ? 0
                                        : 2 * widest + 4 <= layout.slot_width ? 2
                                        : widest + 4 <= layout.slot_width     ? 1
                                                                              : 0;
        for (std::size_t i = 0; i < scores.size(); ++i) {
            const std::size_t slot_x = area.x + i * layout.slot_width;
            const std::size_t bar_x = slot_x + (layout.slot_width - layout.bar_width) / 2;
            const float s = std::isfinite(scores[i]) ? scores[i] : 0.0f;
            const std::size_t top = std::min(y_of(s), zero_y);
            const std::size_t height = std::max<std::size_t>(std::max(y_of(s), zero_y) - top, 1);
            const bool is_expected = i == expected;
            const bool is_predicted = i == predicted;
            if (is_expected && is_predicted) {
                const std::size_t half = layout.bar_width / 2;
                canvas.fill_rect(bar_x, top, half, height, S::expected);
                canvas.fill_rect(bar_x + half, top, layout.bar_width - half, height, S::predicted);
            } else {
                canvas.fill_rect(bar_x, top, layout.bar_width, height,
                                 is_expected ? S::expected : is_predicted ? S::predicted : S::bar);
            }
            const Rgb label_colour = is_expected ? S::expected : is_predicted ? S::predicted : S::text;
            if (value_scale > 0) {
                const std::size_t value_width = Canvas::text_width(values[i], value_scale);
                canvas.draw_text(slot_x + (layout.slot_width - value_width) / 2,
                                 layout.value_row_y + (2 - value_scale) * Canvas::line_height, values[i], S::muted,
                                 value_scale);
            }
            if (i % layout.label_every == 0 || is_expected || is_predicted) {
                const std::string label = fmt::format("{}", i);
                const std::size_t label_width = Canvas::text_width(label, layout.label_scale);
                const std::size_t label_x =
                    slot_x + layout.slot_width / 2 - std::min(label_width / 2, slot_x + layout.slot_width / 2);
                canvas.draw_text(label_x, layout.label_row_y, label, label_colour, layout.label_scale);
            }
        }
        canvas.fill_rect(area.x, zero_y, area.width, 1, S::text);

        std::size_t x = area.x;
        const std::size_t swatch_y = layout.legend_y + 4;
        canvas.fill_rect(x, swatch_y, S::swatch, S::swatch, S::expected);
        x += S::swatch + 6;
        const std::string exp_text = detail::legend_expected(expected);
        canvas.draw_text(x, layout.legend_y, exp_text, S::text, S::title_scale);
        x += Canvas::text_width(exp_text, S::title_scale) + 12;
        canvas.fill_rect(x, swatch_y, S::swatch, S::swatch, S::predicted);
        x += S::swatch + 6;
        canvas.draw_text(x, layout.legend_y, detail::legend_predicted(predicted), S::text, S::title_scale);
    }

    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    canvas.save(path);
}

}  // namespace typenet
