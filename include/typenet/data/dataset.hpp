// Dataset: labelled single-channel images as floats, with normalisation, reproducible shuffling and splits.
#pragma once

#include <typenet/data/error.hpp>
#include <typenet/random.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace typenet {

/// N images of one channel, `rows` x `cols`, with one class label each. `pixels` holds the images
/// one after another (sample-major, then row-major), so `image(i)` is a contiguous view.
struct Dataset {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<float> pixels;          ///< size() * rows * cols values
    std::vector<std::uint8_t> labels;   ///< size() values

    [[nodiscard]] std::size_t size() const { return labels.size(); }
    [[nodiscard]] bool empty() const { return labels.empty(); }
    [[nodiscard]] std::size_t image_size() const { return rows * cols; }

    [[nodiscard]] std::span<const float> image(std::size_t i) const {
        assert(i < size());
        return std::span<const float>(pixels).subspan(i * image_size(), image_size());
    }
    [[nodiscard]] std::span<float> image(std::size_t i) {
        assert(i < size());
        return std::span<float>(pixels).subspan(i * image_size(), image_size());
    }
    [[nodiscard]] std::uint8_t label(std::size_t i) const {
        assert(i < size());
        return labels[i];
    }
};

/// Builds a Dataset from raw bytes (e.g. `IdxImages::pixels`); pixel values are kept as they are
/// (0..255) until `normalise_min_max`. Throws `data_error` if the sizes disagree.
inline Dataset make_dataset(std::size_t rows, std::size_t cols, std::span<const std::uint8_t> pixels,
                            std::vector<std::uint8_t> labels) {
    // Divide first so a huge rows * cols cannot wrap around and pass the check.
    if (rows == 0 || cols == 0 || pixels.size() / rows / cols != labels.size() ||
        labels.size() * rows * cols != pixels.size()) {
        throw data_error(fmt::format("make_dataset: {} pixel bytes do not hold {} images of {}x{}", pixels.size(),
                                     labels.size(), rows, cols));
    }
    return Dataset{rows, cols, std::vector<float>(pixels.begin(), pixels.end()), std::move(labels)};
}

/// Scales each image on its own so its smallest pixel becomes 0 and its largest 1. A constant
/// (e.g. blank) image becomes all zeros rather than dividing by zero.
inline void normalise_min_max(Dataset& dataset) {
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const auto image = dataset.image(i);
        const auto [lowest, highest] = std::minmax_element(image.begin(), image.end());
        const float low = *lowest;
        const float range = *highest - low;
        for (auto& value : image) {
            // Dividing (rather than multiplying by 1/range) maps the maximum to exactly 1.
            value = range > 0 ? (value - low) / range : 0.0f;
        }
    }
}

/// The mean of all pixels of all images, accumulated in double so 47 million floats lose nothing.
/// Compute it on the training split only and subtract it from every split, so validation and test
/// data never influence the preprocessing.
inline double mean_pixel(const Dataset& dataset) {
    if (dataset.pixels.empty()) throw data_error("mean_pixel: the dataset has no pixels");
    double sum = 0;
    for (const float value : dataset.pixels) sum += value;
    return sum / static_cast<double>(dataset.pixels.size());
}

/// Subtracts `mean` (normally `mean_pixel(train)`) from every pixel.
inline void subtract_mean(Dataset& dataset, double mean) {
    for (auto& value : dataset.pixels) value = static_cast<float>(value - mean);
}

/// The permutation of 0..count-1 that `shuffle(dataset, seed)` applies: after the shuffle, sample
/// k is the former sample `shuffled_indices(size, seed)[k]`. Identical on every compiler and platform.
/// Also handy to visit samples in a fresh order each epoch without moving them.
inline std::vector<std::size_t> shuffled_indices(std::size_t count, std::uint64_t seed) {
    std::vector<std::size_t> indices(count);
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    Random random(seed);
    shuffle_positions(count, random, [&](std::size_t a, std::size_t b) { std::swap(indices[a], indices[b]); });
    return indices;
}

/// Shuffles the samples in place, each label moving with its image. The order depends only on
/// `seed` and `size()`, bit for bit the same with any compiler or standard library.
inline void shuffle(Dataset& dataset, std::uint64_t seed) {
    // Swapping in place avoids a second copy of the pixels (190 MB for MNIST's training set).
    Random random(seed);
    shuffle_positions(dataset.size(), random, [&](std::size_t a, std::size_t b) {
        const auto first = dataset.image(a);
        std::swap_ranges(first.begin(), first.end(), dataset.image(b).begin());
        std::swap(dataset.labels[a], dataset.labels[b]);
    });
}

/// A copy of samples [begin, begin + count). Throws `data_error` if the range is out of bounds.
inline Dataset subset(const Dataset& dataset, std::size_t begin, std::size_t count) {
    if (begin > dataset.size() || count > dataset.size() - begin) {
        throw data_error(fmt::format("subset: samples [{}, {}+{}) are out of range for a dataset of {} samples",
                                     begin, begin, count, dataset.size()));
    }
    const auto first_pixel = dataset.pixels.begin() + static_cast<std::ptrdiff_t>(begin * dataset.image_size());
    const auto first_label = dataset.labels.begin() + static_cast<std::ptrdiff_t>(begin);
    return Dataset{dataset.rows, dataset.cols,
                   std::vector<float>(first_pixel, first_pixel + static_cast<std::ptrdiff_t>(count * dataset.image_size())),
                   std::vector<std::uint8_t>(first_label, first_label + static_cast<std::ptrdiff_t>(count))};
}

/// Splits into the first `first_count` samples and the rest, reusing the first half's storage.
/// Throws `data_error` if `first_count > size()`.
inline std::pair<Dataset, Dataset> split(Dataset dataset, std::size_t first_count) {
    if (first_count > dataset.size()) {
        throw data_error(fmt::format("split: cannot take the first {} samples of a dataset of {} samples",
                                     first_count, dataset.size()));
    }
    Dataset rest = subset(dataset, first_count, dataset.size() - first_count);
    dataset.pixels.resize(first_count * dataset.image_size());
    dataset.labels.resize(first_count);
    return {std::move(dataset), std::move(rest)};
}

}  // namespace typenet
