// RandomAffine: training images rotated, scaled and moved a little, anew at every read.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include <fmt/format.h>

#include <typenet/data/dataset.hpp>
#include <typenet/data/error.hpp>
#include <typenet/random.hpp>

namespace typenet {

/// How far RandomAffine may turn, scale and move an image.
struct AffineRange {
    double degrees = 0;  ///< rotation, uniform in [-degrees, degrees]
    double scale = 0;    ///< zoom factor, uniform in [1 - scale, 1 + scale]
    double shift = 0;    ///< translation in pixels, uniform in [-shift, shift] on each axis
};

/// One transform: a rotation about the image's centre, a zoom, then a move.
struct Affine {
    double radians = 0, zoom = 1, dy = 0, dx = 0;
};

/// Writes `source` (rows x cols) under `t` into `out`, sampled bilinearly: each output pixel
/// reads the source where the inverse transform takes it; outside, `background`.
inline void apply_affine(std::span<const float> source, std::size_t rows, std::size_t cols, const Affine& t,
                         float background, std::span<float> out) {
    const auto at = [&](double row, double col) {
        if (row < 0 || col < 0 || row >= double(rows) || col >= double(cols)) return double(background);
        return double(source[std::size_t(row) * cols + std::size_t(col)]);
    };
    const double c = std::cos(t.radians) / t.zoom, s = std::sin(t.radians) / t.zoom;
    const double cy = (double(rows) - 1) / 2, cx = (double(cols) - 1) / 2;
    for (std::size_t y = 0; y < rows; ++y)
        for (std::size_t x = 0; x < cols; ++x) {
            const double oy = double(y) - cy - t.dy, ox = double(x) - cx - t.dx;
            const double sy = cy + c * oy - s * ox, sx = cx + s * oy + c * ox;
            const double fy = std::floor(sy), fx = std::floor(sx);
            const double wy = sy - fy, wx = sx - fx;
            out[y * cols + x] = float((1 - wy) * ((1 - wx) * at(fy, fx) + wx * at(fy, fx + 1)) +
                                      wy * ((1 - wx) * at(fy + 1, fx) + wx * at(fy + 1, fx + 1)));
        }
}

/// Presents a Dataset's images rotated about their centre, scaled and moved by random amounts
/// within `range`, sampled bilinearly; what is uncovered takes the image's smallest value (its
/// background). Handwritten digits vary this way, so a network trained on them generalises
/// better than on shifts alone. Draws depend only on the seed and the order of reads; give it to
/// `fit` only, which checks the samples through `underlying()`.
class RandomAffine {
public:
    /// Throws `data_error` for a range that could turn an image inside out or out of view: a
    /// negative value, a scale of 1 or more, a shift of the image's size or more, or a
    /// rotation over 180 degrees.
    RandomAffine(const Dataset& data, AffineRange range, std::uint64_t seed)
        : data_(data), range_(checked(data, range)), random_(seed), moved_(data.image_size()) {}

    [[nodiscard]] std::size_t size() const { return data_.size(); }
    [[nodiscard]] const Dataset& underlying() const { return data_; }
    [[nodiscard]] std::uint8_t label(std::size_t i) const { return data_.label(i); }

    /// Image i under a new random transform. The view stays valid until the next call.
    [[nodiscard]] std::span<const float> image(std::size_t i) const {
        const std::span<const float> source = data_.image(i);
        Affine t;
        t.radians = random_.uniform(-range_.degrees, range_.degrees) * std::numbers::pi / 180;
        t.zoom = 1 + random_.uniform(-range_.scale, range_.scale);
        t.dy = random_.uniform(-range_.shift, range_.shift);
        t.dx = random_.uniform(-range_.shift, range_.shift);
        apply_affine(source, data_.rows, data_.cols, t, *std::min_element(source.begin(), source.end()), moved_);
        return moved_;
    }

private:
    static AffineRange checked(const Dataset& data, AffineRange range) {
        const double side = double(std::min(data.rows, data.cols));
        if (!(range.degrees >= 0 && range.degrees <= 180) || !(range.scale >= 0 && range.scale < 1) ||
            !(range.shift >= 0 && (range.shift < side || range.shift == 0)))
            throw data_error(fmt::format("RandomAffine: rotation {} degrees, scale {}, shift {} pixels cannot be "
                                         "applied to {}x{} images (rotation 0 to 180, scale 0 to below 1, shift "
                                         "0 to below the image's size)",
                                         range.degrees, range.scale, range.shift, data.rows, data.cols));
        return range;
    }

    const Dataset& data_;
    AffineRange range_;
    // Reading is logically const (the data set does not change), but draws transforms and
    // reuses one buffer so that reading allocates nothing.
    mutable Random random_;
    mutable std::vector<float> moved_;
};

}  // namespace typenet
