// make_fuzz_corpus OUTDIR: valid inputs for each fuzz target, one folder per target, so that
// a short run starts from files that get past the headers instead of rediscovering them.
#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

#include <typenet/data/idx.hpp>
#include <typenet/io/weights.hpp>

#include "fuzz_networks.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_fuzz_corpus OUTDIR\n");
        return 2;
    }
    const fs::path out = argv[1];
    fs::create_directories(out / "idx_fuzz");
    fs::create_directories(out / "weights_fuzz");

    std::vector<std::uint8_t> pixels(3 * 4 * 5);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
    typenet::write_idx_images(out / "idx_fuzz" / "images-3x4x5", 3, 4, 5, pixels);
    const std::array<std::uint8_t, 3> labels{0, 9, 4};
    typenet::write_idx_labels(out / "idx_fuzz" / "labels-3", labels);

    static fuzz::SmallNet net;
    typenet::initialize(net, typenet::Init::he_uniform, 1);
    typenet::save_weights(net, out / "weights_fuzz" / "small.weights");
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_corpus: %s\n", e.what());
    return 1;
}
