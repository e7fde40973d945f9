// make_synthetic_mnist: writes small, learnable, MNIST-shaped IDX files so tests and examples need no download.
//
// Usage: make_synthetic_mnist OUTDIR [--train N] [--test N] [--seed S]   (defaults 1200, 300, 1)
//
// Class k is the seven-segment drawing of the digit k, shifted by up to 2 pixels each way, with a
// random stroke brightness and background noise: distinct enough for a small CNN to learn in a few
// epochs, varied enough that it has to learn shapes rather than memorise pixels.
#include <typenet/data/idx.hpp>
#include <typenet/random.hpp>

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int side = 28;

struct Rect {
    int x0, y0, x1, y1;  // inclusive
};

// Segments a..g of a 12x20 seven-segment digit centred in the 28x28 image, strokes 2 pixels wide.
constexpr std::array<Rect, 7> segments{{
    {8, 4, 19, 5},    // a: top
    {18, 4, 19, 13},  // b: upper right
    {18, 14, 19, 23}, // c: lower right
    {8, 22, 19, 23},  // d: bottom
    {8, 14, 9, 23},   // e: lower left
    {8, 4, 9, 13},    // f: upper left
    {8, 13, 19, 14},  // g: middle
}};

// Bit s set = segment s lit, for digits 0..9.
constexpr std::array<std::uint8_t, 10> digit_segments{0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};

void draw_digit(typenet::Random& random, int digit, std::uint8_t* image) {
    const int dx = static_cast<int>(random.below(5)) - 2;
    const int dy = static_cast<int>(random.below(5)) - 2;
    const int ink = 160 + static_cast<int>(random.below(96));
    for (int i = 0; i < side * side; ++i) image[i] = static_cast<std::uint8_t>(random.below(48));
    for (std::size_t s = 0; s < segments.size(); ++s) {
        if (((digit_segments[static_cast<std::size_t>(digit)] >> s) & 1U) == 0) continue;
        const Rect& r = segments[s];
        for (int y = r.y0 + dy; y <= r.y1 + dy; ++y) {
            for (int x = r.x0 + dx; x <= r.x1 + dx; ++x) {
                image[y * side + x] = static_cast<std::uint8_t>(ink - static_cast<int>(random.below(32)));
            }
        }
    }
}

void write_split(const std::filesystem::path& dir, std::string_view prefix, std::size_t count,
                 typenet::Random& random) {
    std::vector<std::uint8_t> pixels(count * side * side);
    std::vector<std::uint8_t> labels(count);
    for (std::size_t i = 0; i < count; ++i) {
        labels[i] = static_cast<std::uint8_t>(i % 10);
        draw_digit(random, labels[i], pixels.data() + i * side * side);
    }
    typenet::write_idx_images(dir / fmt::format("{}-images-idx3-ubyte", prefix), count, side, side, pixels);
    typenet::write_idx_labels(dir / fmt::format("{}-labels-idx1-ubyte", prefix), labels);
}

std::uint64_t parse_number(std::string_view option, const char* text) {
    std::uint64_t value = 0;
    const std::string_view digits = text;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size()) {
        throw std::invalid_argument(fmt::format("{} needs a non-negative integer, got '{}'", option, text));
    }
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2 || std::string_view(argv[1]).starts_with("--")) {
            throw std::invalid_argument("usage: make_synthetic_mnist OUTDIR [--train N] [--test N] [--seed S]");
        }
        const std::filesystem::path dir = argv[1];
        std::uint64_t train = 1200, test = 300, seed = 1;
        for (int i = 2; i < argc; i += 2) {
            const std::string_view option = argv[i];
            if (i + 1 >= argc) throw std::invalid_argument(fmt::format("{} needs a value", option));
            if (option == "--train") {
                train = parse_number(option, argv[i + 1]);
            } else if (option == "--test") {
                test = parse_number(option, argv[i + 1]);
            } else if (option == "--seed") {
                seed = parse_number(option, argv[i + 1]);
            } else {
                throw std::invalid_argument(fmt::format("unknown option '{}'", option));
            }
        }
        std::filesystem::create_directories(dir);
        typenet::Random random(seed);
        write_split(dir, "train", train, random);
        write_split(dir, "t10k", test, random);
        fmt::print("wrote {} training and {} test images to {}\n", train, test, dir.string());
        return 0;
    } catch (const std::exception& error) {
        fmt::print(stderr, "make_synthetic_mnist: {}\n", error.what());
        return 1;
    }
}
