// load_mnist: reads and checks all four MNIST files, then returns preprocessed train/validation/test splits.
#pragma once

#include <typenet/data/dataset.hpp>
#include <typenet/data/error.hpp>
#include <typenet/data/idx.hpp>

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace typenet {

/// How `load_mnist` checks and preprocesses the data. `rows`, `cols` and `classes` are what the
/// network expects, so a mismatching file is reported before training starts.
struct MnistOptions {
    std::size_t rows = 28;
    std::size_t cols = 28;
    std::size_t classes = 10;
    std::size_t validation = 10000;  ///< images held out of the training file for validation
    bool zero_center = true;         ///< subtract the training split's mean pixel from every split
    bool shuffle = true;             ///< shuffle the training file (with `seed`) before holding out validation
    std::uint64_t seed = 1;
};

struct MnistSplits {
    Dataset train;
    Dataset validation;
    Dataset test;
    double mean = 0;  ///< the value subtracted from every pixel (0 unless `zero_center`); apply it to new inputs too
};

/// The four files of an MNIST directory.
struct MnistFiles {
    std::filesystem::path train_images;
    std::filesystem::path train_labels;
    std::filesystem::path test_images;
    std::filesystem::path test_labels;
};

namespace detail {

inline constexpr std::string_view mnist_fetch_hint =
    "run ./scripts/fetch-mnist.sh to download MNIST into data/mnist, or pass --data DIR";

// Looks for `<stem>-<suffix>` and the dotted spelling `<stem>.<suffix>` some mirrors use; records a
// problem (missing, or only a .gz present) instead of throwing, so all missing files are named at once.
inline std::filesystem::path find_mnist_file(const std::filesystem::path& dir, std::string_view stem,
                                             std::string_view suffix, std::vector<std::string>& problems) {
    const std::string name = fmt::format("{}-{}", stem, suffix);
    std::error_code error;
    for (const auto& candidate : {dir / name, dir / fmt::format("{}.{}", stem, suffix)}) {
        if (std::filesystem::exists(candidate, error)) return candidate;
    }
    if (std::filesystem::exists(dir / (name + ".gz"), error)) {
        problems.push_back(fmt::format("{}.gz is gzip-compressed, decompress it first (gunzip)", name));
    } else {
        problems.push_back(fmt::format("{} is missing", name));
    }
    return {};
}

inline void check_mnist_pair(const std::filesystem::path& images_path, const IdxImages& images,
                             const std::filesystem::path& labels_path, const std::vector<std::uint8_t>& labels,
                             const MnistOptions& options) {
    if (images.rows != options.rows || images.cols != options.cols) {
        throw data_error(fmt::format("{}: images are {}x{} but the network expects {}x{} inputs", images_path.string(),
                                     images.rows, images.cols, options.rows, options.cols));
    }
    if (images.count != labels.size()) {
        throw data_error(fmt::format("{} holds {} images but {} holds {} labels; they must match one to one",
                                     images_path.string(), images.count, labels_path.string(), labels.size()));
    }
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] >= options.classes) {
            throw data_error(fmt::format("{}: label {} at index {} is out of range for {} classes (expected 0..{})",
                                         labels_path.string(), labels[i], i, options.classes, options.classes - 1));
        }
    }
}

// Takes the images by value so their bytes are freed as soon as the floats exist.
inline Dataset to_dataset(IdxImages images, std::vector<std::uint8_t> labels) {
    return make_dataset(images.rows, images.cols, images.pixels, std::move(labels));
}

}  // namespace detail

/// Finds the four MNIST files in `dir`, accepting `train-images-idx3-ubyte` and the dotted
/// `train-images.idx3-ubyte`. Throws `data_error` naming every missing file and how to fetch them.
inline MnistFiles find_mnist_files(const std::filesystem::path& dir) {
    std::error_code error;
    if (!std::filesystem::exists(dir, error)) {
        throw data_error(fmt::format("{}: MNIST directory does not exist; {}", dir.string(), detail::mnist_fetch_hint));
    }
    if (!std::filesystem::is_directory(dir, error)) {
        throw data_error(fmt::format("{}: is not a directory; {}", dir.string(), detail::mnist_fetch_hint));
    }
    std::vector<std::string> problems;
    MnistFiles files{
        detail::find_mnist_file(dir, "train-images", "idx3-ubyte", problems),
        detail::find_mnist_file(dir, "train-labels", "idx1-ubyte", problems),
        detail::find_mnist_file(dir, "t10k-images", "idx3-ubyte", problems),
        detail::find_mnist_file(dir, "t10k-labels", "idx1-ubyte", problems),
    };
    if (!problems.empty()) {
        throw data_error(fmt::format("{}: incomplete MNIST directory: {}; {}", dir.string(), fmt::join(problems, "; "),
                                     detail::mnist_fetch_hint));
    }
    return files;
}

/// Loads MNIST from `dir` (see `find_mnist_files`). All four files are read and checked (format,
/// image size against `options.rows`/`cols`, image count against label count, every label below
/// `options.classes`) before anything is returned, so a bad test file cannot waste a training run.
/// The training file is shuffled (if `options.shuffle`) and split into `count - validation` training
/// and `validation` validation samples; t10k is the test split. Every image is min-max normalised
/// and, if `options.zero_center`, the training split's mean pixel is subtracted from all three.
inline MnistSplits load_mnist(const std::filesystem::path& dir, const MnistOptions& options = {}) {
    if (options.rows == 0 || options.cols == 0 || options.classes == 0) {
        throw data_error(fmt::format("load_mnist: MnistOptions rows ({}), cols ({}) and classes ({}) must be at least 1",
                                     options.rows, options.cols, options.classes));
    }
    const MnistFiles files = find_mnist_files(dir);
    auto train_images = read_idx_images(files.train_images);
    auto train_labels = read_idx_labels(files.train_labels);
    auto test_images = read_idx_images(files.test_images);
    auto test_labels = read_idx_labels(files.test_labels);
    detail::check_mnist_pair(files.train_images, train_images, files.train_labels, train_labels, options);
    detail::check_mnist_pair(files.test_images, test_images, files.test_labels, test_labels, options);
    if (options.validation >= train_images.count) {
        throw data_error(fmt::format("{}: cannot hold out {} validation images from only {} training images; "
                                     "the validation count must be smaller",
                                     files.train_images.string(), options.validation, train_images.count));
    }

    const std::size_t train_count = train_images.count - options.validation;
    Dataset all_train = detail::to_dataset(std::move(train_images), std::move(train_labels));
    if (options.shuffle) shuffle(all_train, options.seed);
    auto [train, validation] = split(std::move(all_train), train_count);
    Dataset test = detail::to_dataset(std::move(test_images), std::move(test_labels));

    normalise_min_max(train);
    normalise_min_max(validation);
    normalise_min_max(test);
    double mean = 0;
    if (options.zero_center) {
        mean = mean_pixel(train);
        subtract_mean(train, mean);
        subtract_mean(validation, mean);
        subtract_mean(test, mean);
    }
    return MnistSplits{std::move(train), std::move(validation), std::move(test), mean};
}

}  // namespace typenet
