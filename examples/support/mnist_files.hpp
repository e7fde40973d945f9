// The examples' work that does not depend on the network's type, compiled once in mnist_files.cpp:
// reading MNIST, the report's pictures and words.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <typenet/data/mnist.hpp>
#include <typenet/train/history.hpp>
#include <typenet/viz/report.hpp>

#include "command_line.hpp"

namespace examples {

/// MNIST from `settings.data` at `rows` x `cols` with `classes` labels, split, zero-centred and
/// limited as `settings` asks; prints what it read.
typenet::MnistSplits load_mnist_images(const Settings& settings, std::size_t rows, std::size_t cols, std::size_t classes);

/// Writes curves, the confusion matrix and report.html (with `metrics` and the `previews`
/// pictures) into `settings.out`, and says where they are.
void write_report_pictures(const std::string& title, const typenet::History& history,
                           const std::vector<typenet::Metric>& metrics, const std::vector<std::string>& previews,
                           const Settings& settings);

/// The exported header's struct: the file's stem as a C++ identifier ("seed-net.hpp" -> seed_net).
std::string header_name(const std::filesystem::path& file);

/// The report's words for the training images' augmentation.
std::string augmentation(const Settings& settings);

}  // namespace examples
