// RandomShift: training images moved by a few pixels, with a fresh random offset at every read.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <fmt/format.h>

#include <typenet/data/dataset.hpp>
#include <typenet/data/error.hpp>
#include <typenet/random.hpp>

namespace typenet {

/// Presents a Dataset's images moved by up to `max_shift` pixels vertically and horizontally,
/// drawing a new offset each time an image is read, so every epoch sees slightly different
/// digits: LeNet-5 generalises measurably better for it. The uncovered border takes the image's
/// smallest value, its background even after zero-centering. Offsets depend only on the seed and
/// the order of reads. Give it to `fit` only; evaluate on the plain data. `fit` checks the
/// samples through `underlying()`, so the check draws no offsets (see SampleSource).
class RandomShift {
public:
    /// Throws `data_error` when `max_shift` could move an image entirely out of view (a shift of
    /// its height or width or more), which also keeps the offset arithmetic far from overflow.
    RandomShift(const Dataset& data, std::size_t max_shift, std::uint64_t seed)
        : data_(data), max_shift_(checked_shift(data, max_shift)), random_(seed), shifted_(data.image_size()) {}

    [[nodiscard]] std::size_t size() const { return data_.size(); }
    /// The images before shifting: same size and labels, and a shifted image holds only its values.
    [[nodiscard]] const Dataset& underlying() const { return data_; }
    [[nodiscard]] std::uint8_t label(std::size_t i) const { return data_.label(i); }

    /// Image i at a new random offset. The view stays valid until the next call.
    [[nodiscard]] std::span<const float> image(std::size_t i) const {
        const std::span<const float> source = data_.image(i);
        const auto range = static_cast<std::uint64_t>(2 * max_shift_ + 1);
        const auto dy = static_cast<std::ptrdiff_t>(random_.below(range)) - std::ptrdiff_t(max_shift_);
        const auto dx = static_cast<std::ptrdiff_t>(random_.below(range)) - std::ptrdiff_t(max_shift_);
        const float background = *std::min_element(source.begin(), source.end());
        const auto rows = std::ptrdiff_t(data_.rows), cols = std::ptrdiff_t(data_.cols);
        for (std::ptrdiff_t y = 0; y < rows; ++y)
            for (std::ptrdiff_t x = 0; x < cols; ++x) {
                const std::ptrdiff_t from_y = y - dy, from_x = x - dx;
                const bool inside = from_y >= 0 && from_y < rows && from_x >= 0 && from_x < cols;
                shifted_[std::size_t(y * cols + x)] = inside ? source[std::size_t(from_y * cols + from_x)] : background;
            }
        return shifted_;
    }

private:
    static std::size_t checked_shift(const Dataset& data, std::size_t max_shift) {
        const std::size_t side = std::min(data.rows, data.cols);
        if (max_shift > 0 && max_shift >= side)
            throw data_error(fmt::format("RandomShift: a shift of up to {} pixels can move {}x{} images out of view; "
                                         "use at most {}",
                                         max_shift, data.rows, data.cols, side > 0 ? side - 1 : 0));
        return max_shift;
    }

    const Dataset& data_;
    std::size_t max_shift_;
    // Reading is logically const (the data set does not change), but draws offsets and reuses
    // one buffer so that reading allocates nothing.
    mutable Random random_;
    mutable std::vector<float> shifted_;
};

}  // namespace typenet
