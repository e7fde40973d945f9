// Tests for typenet/data/dataset.hpp and mnist.hpp: preprocessing, reproducible shuffles, splits, load_mnist checks.
#define BOOST_TEST_MODULE dataset
#include <boost/test/unit_test.hpp>

#include "../support/temp_dir.hpp"

#include <typenet/data/augment.hpp>
#include <typenet/data/random_affine.hpp>
#include <typenet/data/dataset.hpp>
#include <typenet/data/idx.hpp>
#include <typenet/data/mnist.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <cmath>
#include <numbers>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace {

namespace fs = std::filesystem;
using test_support::message_has;
using test_support::TempDir;
using Bytes = std::vector<std::uint8_t>;

// `count` 1x2 images; image i holds the pixels {i, i} and the label i, so after any reordering
// each image must still agree with its label.
typenet::Dataset numbered(std::size_t count) {
    typenet::Dataset dataset;
    dataset.rows = 1;
    dataset.cols = 2;
    for (std::size_t i = 0; i < count; ++i) {
        dataset.pixels.insert(dataset.pixels.end(), 2, static_cast<float>(i));
        dataset.labels.push_back(static_cast<std::uint8_t>(i));
    }
    return dataset;
}

// Distinct, non-constant images so min-max normalisation leaves something to compare.
Bytes image_bytes(std::size_t count, std::size_t rows, std::size_t cols) {
    Bytes pixels(count * rows * cols);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 37 + i / 5) % 256);
    return pixels;
}

Bytes cycling_labels(std::size_t count) {
    Bytes labels(count);
    for (std::size_t i = 0; i < count; ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
    return labels;
}

// A small MNIST directory with 4x4 images: 30 training and 12 test samples unless told otherwise.
void write_mnist(const fs::path& dir, std::size_t train = 30, std::size_t test = 12) {
    typenet::write_idx_images(dir / "train-images-idx3-ubyte", train, 4, 4, image_bytes(train, 4, 4));
    typenet::write_idx_labels(dir / "train-labels-idx1-ubyte", cycling_labels(train));
    typenet::write_idx_images(dir / "t10k-images-idx3-ubyte", test, 4, 4, image_bytes(test, 4, 4));
    typenet::write_idx_labels(dir / "t10k-labels-idx1-ubyte", cycling_labels(test));
}

typenet::MnistOptions small_options() {
    typenet::MnistOptions options;
    options.rows = 4;
    options.cols = 4;
    options.validation = 5;
    return options;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(preprocessing)

BOOST_AUTO_TEST_CASE(make_dataset_keeps_bytes_and_checks_sizes) {
    const auto dataset = typenet::make_dataset(1, 3, Bytes{0, 128, 255, 1, 2, 3}, Bytes{4, 5});
    BOOST_TEST(dataset.size() == 2u);
    BOOST_TEST(dataset.image_size() == 3u);
    BOOST_TEST(dataset.image(0)[2] == 255.0f);
    BOOST_TEST(dataset.image(1)[0] == 1.0f);
    BOOST_TEST(dataset.label(1) == 5);
    BOOST_CHECK_EXCEPTION(typenet::make_dataset(1, 3, Bytes{0, 1, 2, 3}, Bytes{4}), typenet::data_error,
                          message_has({"4 pixel bytes do not hold 1 images of 1x3"}));
}

BOOST_AUTO_TEST_CASE(min_max_maps_each_image_to_zero_one) {
    // Image 0: min 50, max 250, so 100 -> 0.25, 150 -> 0.5, 200 -> 0.75, all exact in float.
    // Image 1: blank. Image 2: a different range, normalised on its own.
    auto dataset = typenet::make_dataset(2, 3, Bytes{50, 250, 100, 150, 50, 200, 17, 17, 17, 17, 17, 17, 10, 20, 10,
                                                     20, 15, 10},
                                         Bytes{0, 1, 2});
    typenet::normalise_min_max(dataset);
    const std::vector<float> expected{0.0f, 1.0f, 0.25f, 0.5f, 0.0f, 0.75f, 0, 0, 0, 0, 0, 0,
                                      0.0f, 1.0f, 0.0f, 1.0f, 0.5f, 0.0f};
    BOOST_TEST(dataset.pixels == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(mean_and_zero_centering_use_the_given_mean) {
    auto train = typenet::make_dataset(1, 2, Bytes{1, 3, 5, 7}, Bytes{0, 1});
    auto test = typenet::make_dataset(1, 2, Bytes{100, 100}, Bytes{0});
    const double mean = typenet::mean_pixel(train);
    BOOST_TEST(mean == 4.0);
    typenet::subtract_mean(train, mean);
    typenet::subtract_mean(test, mean);
    BOOST_TEST(typenet::mean_pixel(train) == 0.0);
    BOOST_TEST(train.pixels == (std::vector<float>{-3, -1, 1, 3}), boost::test_tools::per_element());
    // The test split is shifted by the training mean, not centred on its own mean of 100.
    BOOST_TEST(test.pixels == (std::vector<float>{96, 96}), boost::test_tools::per_element());
    BOOST_CHECK_EXCEPTION(typenet::mean_pixel(typenet::Dataset{}), typenet::data_error, message_has({"no pixels"}));
}

BOOST_AUTO_TEST_CASE(shuffle_is_reproducible_and_keeps_labels_with_images) {
    auto first = numbered(100);
    auto second = numbered(100);
    auto other = numbered(100);
    typenet::shuffle(first, 7);
    typenet::shuffle(second, 7);
    typenet::shuffle(other, 8);

    BOOST_TEST(first.labels == second.labels, boost::test_tools::per_element());
    BOOST_TEST(first.pixels == second.pixels, boost::test_tools::per_element());
    BOOST_TEST(first.labels != other.labels);
    BOOST_TEST(first.labels != numbered(100).labels);

    for (std::size_t i = 0; i < first.size(); ++i) {
        BOOST_TEST(first.image(i)[0] == static_cast<float>(first.label(i)));
        BOOST_TEST(first.image(i)[1] == static_cast<float>(first.label(i)));
    }
    auto sorted = first.labels;
    std::sort(sorted.begin(), sorted.end());
    BOOST_TEST(sorted == numbered(100).labels, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(shuffle_applies_shuffled_indices) {
    auto dataset = numbered(50);
    typenet::shuffle(dataset, 123);
    const auto order = typenet::shuffled_indices(50, 123);
    for (std::size_t i = 0; i < order.size(); ++i) BOOST_TEST(dataset.label(i) == order[i]);
}

BOOST_AUTO_TEST_CASE(shuffle_order_is_pinned) {
    // typenet::Random (SplitMix64) and the shuffle are all ours, so these orders must be the
    // same with every compiler and standard library; a change here breaks reproducibility of runs.
    BOOST_TEST(typenet::shuffled_indices(10, 42) == (std::vector<std::size_t>{0, 9, 5, 8, 6, 4, 7, 2, 1, 3}),
               boost::test_tools::per_element());
    BOOST_TEST(typenet::shuffled_indices(10, 1) == (std::vector<std::size_t>{4, 2, 8, 1, 9, 3, 0, 6, 7, 5}),
               boost::test_tools::per_element());
    BOOST_TEST(typenet::shuffled_indices(0, 1).empty());
    BOOST_TEST(typenet::shuffled_indices(1, 1) == std::vector<std::size_t>{0}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(split_and_subset) {
    const auto [head, tail] = typenet::split(numbered(10), 7);
    BOOST_TEST(head.size() == 7u);
    BOOST_TEST(tail.size() == 3u);
    BOOST_TEST(head.pixels.size() == 14u);
    BOOST_TEST(tail.pixels.size() == 6u);
    BOOST_TEST(head.label(6) == 6);
    BOOST_TEST(tail.label(0) == 7);
    BOOST_TEST(tail.image(2)[1] == 9.0f);
    BOOST_TEST(tail.rows == 1u);
    BOOST_TEST(tail.cols == 2u);

    const auto [all, none] = typenet::split(numbered(4), 4);
    BOOST_TEST(all.size() == 4u);
    BOOST_TEST(none.empty());
    BOOST_CHECK_EXCEPTION(typenet::split(numbered(4), 5), typenet::data_error,
                          message_has({"first 5 samples", "dataset of 4 samples"}));

    const auto middle = typenet::subset(numbered(10), 3, 4);
    BOOST_TEST(middle.labels == (Bytes{3, 4, 5, 6}), boost::test_tools::per_element());
    BOOST_TEST(middle.image(3)[0] == 6.0f);
    BOOST_CHECK_EXCEPTION(typenet::subset(numbered(10), 8, 3), typenet::data_error,
                          message_has({"out of range", "10 samples"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(mnist, TempDir)

BOOST_AUTO_TEST_CASE(split_sizes_and_normalised_values) {
    write_mnist(dir);
    auto options = small_options();
    options.zero_center = false;
    const auto splits = typenet::load_mnist(dir, options);
    BOOST_TEST(splits.train.size() == 25u);
    BOOST_TEST(splits.validation.size() == 5u);
    BOOST_TEST(splits.test.size() == 12u);
    BOOST_TEST(splits.mean == 0.0);
    for (const auto* dataset : {&splits.train, &splits.validation, &splits.test}) {
        BOOST_TEST(dataset->rows == 4u);
        BOOST_TEST(dataset->cols == 4u);
        BOOST_TEST(dataset->pixels.size() == dataset->size() * 16);
        for (std::size_t i = 0; i < dataset->size(); ++i) {
            const auto image = dataset->image(i);
            BOOST_TEST(*std::min_element(image.begin(), image.end()) == 0.0f);
            BOOST_TEST(*std::max_element(image.begin(), image.end()) == 1.0f);
        }
    }
}

BOOST_AUTO_TEST_CASE(unshuffled_split_keeps_file_order_and_shuffle_is_seeded) {
    write_mnist(dir);
    auto options = small_options();
    options.shuffle = false;
    const auto plain = typenet::load_mnist(dir, options);
    BOOST_TEST(plain.train.labels == cycling_labels(25), boost::test_tools::per_element());
    BOOST_TEST(plain.validation.labels == (Bytes{5, 6, 7, 8, 9}), boost::test_tools::per_element());
    BOOST_TEST(plain.test.labels == cycling_labels(12), boost::test_tools::per_element());

    options.shuffle = true;
    options.seed = 99;
    const auto first = typenet::load_mnist(dir, options);
    const auto again = typenet::load_mnist(dir, options);
    BOOST_TEST(first.train.labels == again.train.labels, boost::test_tools::per_element());
    BOOST_TEST(first.validation.pixels == again.validation.pixels, boost::test_tools::per_element());
    BOOST_TEST(first.train.labels != plain.train.labels);
    // The test split is never shuffled.
    BOOST_TEST(first.test.labels == plain.test.labels, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(zero_centering_uses_the_training_mean_only) {
    write_mnist(dir);
    auto options = small_options();
    options.zero_center = false;
    const auto raw = typenet::load_mnist(dir, options);
    options.zero_center = true;
    const auto centred = typenet::load_mnist(dir, options);

    const double train_mean = typenet::mean_pixel(raw.train);
    BOOST_TEST(centred.mean == train_mean);
    BOOST_TEST(train_mean != typenet::mean_pixel(raw.test));
    BOOST_TEST(std::abs(typenet::mean_pixel(centred.train)) < 1e-6);
    for (std::size_t i = 0; i < raw.test.pixels.size(); ++i) {
        BOOST_TEST(centred.test.pixels[i] == static_cast<float>(raw.test.pixels[i] - train_mean));
    }
    for (std::size_t i = 0; i < raw.validation.pixels.size(); ++i) {
        BOOST_TEST(centred.validation.pixels[i] == static_cast<float>(raw.validation.pixels[i] - train_mean));
    }
}

BOOST_AUTO_TEST_CASE(accepts_dotted_file_names) {
    write_mnist(dir);
    fs::rename(dir / "train-images-idx3-ubyte", dir / "train-images.idx3-ubyte");
    fs::rename(dir / "t10k-labels-idx1-ubyte", dir / "t10k-labels.idx1-ubyte");
    BOOST_TEST(typenet::load_mnist(dir, small_options()).train.size() == 25u);
}

BOOST_AUTO_TEST_CASE(image_and_label_counts_must_match) {
    write_mnist(dir);
    typenet::write_idx_labels(dir / "t10k-labels-idx1-ubyte", cycling_labels(11));
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, small_options()), typenet::data_error,
                          message_has({(dir / "t10k-images-idx3-ubyte").string(), "holds 12 images",
                                       (dir / "t10k-labels-idx1-ubyte").string(), "holds 11 labels"}));
}

BOOST_AUTO_TEST_CASE(image_size_must_match_the_network) {
    write_mnist(dir);
    typenet::write_idx_images(dir / "t10k-images-idx3-ubyte", 12, 5, 4, image_bytes(12, 5, 4));
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, small_options()), typenet::data_error,
                          message_has({(dir / "t10k-images-idx3-ubyte").string(), "images are 5x4",
                                       "the network expects 4x4"}));
    // Default options expect MNIST's 28x28.
    write_mnist(dir);
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir), typenet::data_error,
                          message_has({"train-images-idx3-ubyte", "images are 4x4", "expects 28x28"}));
}

BOOST_AUTO_TEST_CASE(labels_must_be_below_the_class_count) {
    write_mnist(dir);
    auto labels = cycling_labels(12);
    labels[7] = 12;
    typenet::write_idx_labels(dir / "t10k-labels-idx1-ubyte", labels);
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, small_options()), typenet::data_error,
                          message_has({(dir / "t10k-labels-idx1-ubyte").string(), "label 12 at index 7",
                                       "out of range for 10 classes", "0..9"}));
    auto options = small_options();
    options.classes = 5;
    write_mnist(dir);
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, options), typenet::data_error,
                          message_has({"train-labels-idx1-ubyte", "label 5 at index 5", "for 5 classes"}));
}

BOOST_AUTO_TEST_CASE(missing_directory_says_how_to_fetch) {
    const fs::path missing = dir / "nowhere";
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(missing), typenet::data_error,
                          message_has({missing.string(), "does not exist", "./scripts/fetch-mnist.sh", "--data DIR"}));
}

BOOST_AUTO_TEST_CASE(missing_or_compressed_files_are_all_named) {
    write_mnist(dir);
    fs::remove(dir / "train-labels-idx1-ubyte");
    fs::rename(dir / "t10k-images-idx3-ubyte", dir / "t10k-images-idx3-ubyte.gz");
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, small_options()), typenet::data_error,
                          message_has({dir.string(), "train-labels-idx1-ubyte is missing",
                                       "t10k-images-idx3-ubyte.gz is gzip-compressed", "gunzip",
                                       "./scripts/fetch-mnist.sh"}));
}

BOOST_AUTO_TEST_CASE(corrupt_test_file_is_caught_before_returning) {
    write_mnist(dir);
    fs::resize_file(dir / "t10k-images-idx3-ubyte", 16 + 12 * 16 - 1);
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, small_options()), typenet::data_error,
                          message_has({(dir / "t10k-images-idx3-ubyte").string(), "truncated"}));
}

BOOST_AUTO_TEST_CASE(validation_must_leave_training_samples) {
    write_mnist(dir);
    auto options = small_options();
    options.validation = 30;
    BOOST_CHECK_EXCEPTION(typenet::load_mnist(dir, options), typenet::data_error,
                          message_has({"train-images-idx3-ubyte", "cannot hold out 30 validation images",
                                       "only 30 training images"}));
    options.validation = 29;
    BOOST_TEST(typenet::load_mnist(dir, options).train.size() == 1u);
    options.validation = 0;
    const auto no_validation = typenet::load_mnist(dir, options);
    BOOST_TEST(no_validation.train.size() == 30u);
    BOOST_TEST(no_validation.validation.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(augmentation)

// A 4x5 image with distinct values, background (its minimum) 0.5.
typenet::Dataset one_image() {
    typenet::Dataset d;
    d.rows = 4;
    d.cols = 5;
    for (int i = 0; i < 20; ++i) d.pixels.push_back(1.0f + float(i));
    d.pixels[0] = 0.5f;
    d.labels = {7};
    return d;
}

/// The offset (dy, dx) that turns `source` into `shifted`, or nothing if no offset does.
std::optional<std::pair<int, int>> offset_of(const typenet::Dataset& source, std::span<const float> shifted, int max) {
    for (int dy = -max; dy <= max; ++dy)
        for (int dx = -max; dx <= max; ++dx) {
            bool same = true;
            for (int y = 0; y < 4 && same; ++y)
                for (int x = 0; x < 5 && same; ++x) {
                    const int fy = y - dy, fx = x - dx;
                    const float want = (fy >= 0 && fy < 4 && fx >= 0 && fx < 5) ? source.pixels[std::size_t(fy * 5 + fx)] : 0.5f;
                    same = shifted[std::size_t(y * 5 + x)] == want;
                }
            if (same) return std::pair{dy, dx};
        }
    return std::nullopt;
}

BOOST_AUTO_TEST_CASE(zero_shift_is_the_identity) {
    const typenet::Dataset d = one_image();
    const typenet::RandomShift plain(d, 0, 1);
    const auto image = plain.image(0);
    BOOST_TEST(std::equal(image.begin(), image.end(), d.pixels.begin(), d.pixels.end()));
    BOOST_TEST(plain.label(0) == 7);
    BOOST_TEST(plain.size() == 1u);
}

BOOST_AUTO_TEST_CASE(every_read_is_a_fresh_offset_within_the_bound) {
    const typenet::Dataset d = one_image();
    const typenet::RandomShift shifted(d, 1, 5);
    std::set<std::pair<int, int>> seen;
    for (int read = 0; read < 200; ++read) {
        const auto offset = offset_of(d, shifted.image(0), 1);
        BOOST_TEST_REQUIRE(offset.has_value());  // a pure shift, border filled with the background
        seen.insert(*offset);
    }
    BOOST_TEST(seen.size() == 9u);  // all of -1..1 x -1..1 occur

    const typenet::RandomShift again(d, 1, 5), other(d, 1, 6);
    std::vector<std::pair<int, int>> first, second, third;
    for (int read = 0; read < 20; ++read) {
        first.push_back(*offset_of(d, again.image(0), 1));
        third.push_back(*offset_of(d, other.image(0), 1));
    }
    const typenet::RandomShift replay(d, 1, 5);
    for (int read = 0; read < 20; ++read) second.push_back(*offset_of(d, replay.image(0), 1));
    BOOST_TEST((first == second));
    BOOST_TEST((first != third));
}

BOOST_AUTO_TEST_CASE(affine_with_no_range_is_the_identity) {
    const typenet::Dataset d = one_image();
    const typenet::RandomAffine plain(d, {}, 1);
    const auto image = plain.image(0);
    BOOST_TEST(std::equal(image.begin(), image.end(), d.pixels.begin(), d.pixels.end()));
    BOOST_TEST(plain.label(0) == 7);
    BOOST_TEST(&plain.underlying() == &d);
}

BOOST_AUTO_TEST_CASE(affine_half_turn_flips_both_axes_and_whole_moves_shift) {
    const typenet::Dataset d = one_image();  // 4x5
    std::vector<float> out(20);
    typenet::apply_affine(d.pixels, 4, 5, {.radians = std::numbers::pi}, 0.5f, out);
    for (std::size_t y = 0; y < 4; ++y)
        for (std::size_t x = 0; x < 5; ++x)
            BOOST_TEST(out[y * 5 + x] == d.pixels[(3 - y) * 5 + (4 - x)], boost::test_tools::tolerance(1e-5f));
    // A move by whole pixels is RandomShift's shift: (dy, dx) = (1, -2), the border background.
    typenet::apply_affine(d.pixels, 4, 5, {.dy = 1, .dx = -2}, 0.5f, out);
    BOOST_TEST((offset_of(d, out, 2) == std::pair{1, -2}));
    // Doubling the size about the centre (1.5, 2): pixel (1, 2) reads the source at (1.25, 2).
    typenet::apply_affine(d.pixels, 4, 5, {.zoom = 2}, 0.5f, out);
    BOOST_TEST(out[1 * 5 + 2] == 0.75f * d.pixels[1 * 5 + 2] + 0.25f * d.pixels[2 * 5 + 2], boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(affine_draws_follow_the_seed_and_stay_in_the_image_range) {
    const typenet::Dataset d = one_image();
    const typenet::RandomAffine a(d, {10, 0.1, 1}, 5), b(d, {10, 0.1, 1}, 5), c(d, {10, 0.1, 1}, 6);
    bool differs = false;
    for (int read = 0; read < 20; ++read) {
        const auto view = a.image(0);  // one read, one draw
        const std::vector<float> first(view.begin(), view.end());
        const auto second = b.image(0), third = c.image(0);
        BOOST_TEST(std::equal(first.begin(), first.end(), second.begin(), second.end()));
        differs = differs || !std::equal(first.begin(), first.end(), third.begin(), third.end());
        for (const float v : first) BOOST_TEST((v >= 0.5f && v <= 20.0f));  // between background and maximum
    }
    BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(an_affine_range_that_can_lose_the_image_is_rejected) {
    const typenet::Dataset d = one_image();  // 4x5
    for (const typenet::AffineRange bad : {typenet::AffineRange{-1, 0, 0}, typenet::AffineRange{181, 0, 0},
                                           typenet::AffineRange{0, 1, 0}, typenet::AffineRange{0, 0, 4}})
        BOOST_CHECK_EXCEPTION(typenet::RandomAffine(d, bad, 1), typenet::data_error,
                              test_support::message_has({"RandomAffine:", "4x5 images"}));
}

BOOST_AUTO_TEST_CASE(a_shift_that_can_move_the_image_out_of_view_is_rejected) {
    const typenet::Dataset d = one_image();  // 4x5
    BOOST_CHECK_NO_THROW(typenet::RandomShift(d, 3, 1));
    for (const std::size_t shift : {std::size_t{4}, std::size_t{PTRDIFF_MAX}, std::size_t{SIZE_MAX}}) {
        BOOST_CHECK_EXCEPTION(typenet::RandomShift(d, shift, 1), typenet::data_error,
                              test_support::message_has({fmt::format("RandomShift: a shift of up to {} pixels", shift),
                                                         "4x5 images", "at most 3"}));
    }
}

BOOST_AUTO_TEST_SUITE_END()
