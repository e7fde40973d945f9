// The command line shared by the examples: --data, --epochs, --batch, --seed, --out, --preview, ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <typenet/train/workers.hpp>

#include <fmt/format.h>

namespace examples {

struct Settings {
    std::filesystem::path data = "data/mnist";
    std::size_t epochs = 1;
    std::size_t batch = 1;
    std::uint64_t seed = 1;
    std::filesystem::path out{};
    double preview = 0;               ///< fraction of an epoch between previews, 0 = off
    std::size_t validation = 10000;   ///< images held out of the training file
    std::size_t limit = 0;            ///< train on at most this many images (0 = all)
    std::size_t shift = 0;            ///< move training images by up to this many pixels (augmentation)
    double rotate = 0;                ///< and turn them by up to this many degrees
    double zoom = 0;                  ///< and scale them by up to this fraction
    std::size_t threads = typenet::hardware_threads();  ///< threads sharing each batch's samples
    bool sanity = false;              ///< run the overfitting sanity check first
    bool recalibrate = false;         ///< after training, BatchNorm statistics over the plain training images
    std::filesystem::path checkpoint{};  ///< weights saved here after every good epoch (empty: none)
    std::filesystem::path load{};     ///< start from these typenet weights (empty: initialise)
    std::filesystem::path import{};   ///< start from these PyTorch weights, safetensors or .npz
    std::filesystem::path save{};     ///< the trained weights go here too
    std::filesystem::path export_header{};  ///< the trained parameters as a C++ header
    std::string variant{};            ///< example-specific network choice
};

/// What an example accepts beyond the common options.
struct Extras {
    std::vector<std::size_t> batches{}; ///< allowed --batch values (compiled in); empty: --batch not offered
    std::vector<std::string> variants{};  ///< allowed --variant values; the first is the default
};

class usage_error : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The --help text: `about`, then every option with its default from `defaults`.
std::string usage(std::string_view program, std::string_view about, const Settings& defaults, const Extras& extras);

/// Parses argv; returns nullopt when --help was printed. Throws usage_error on a bad option.
std::optional<Settings> parse(int argc, char** argv, std::string_view about, Settings settings, const Extras& extras = {});

/// Throws usage_error when --shift could move a `rows` x `cols` image entirely out of view.
inline void check_shift(const Settings& settings, std::size_t rows, std::size_t cols) {
    const std::size_t side = std::min(rows, cols);
    if (settings.shift > 0 && settings.shift >= side)
        throw usage_error(fmt::format("--shift {} is too large for {}x{} images: use at most {}", settings.shift, rows,
                                      cols, side - 1));
}

}  // namespace examples
