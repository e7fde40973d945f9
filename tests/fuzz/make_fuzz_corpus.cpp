// make_fuzz_corpus OUTDIR: valid inputs for each fuzz target, one folder per target, so that
// a short run starts from files that get past the headers instead of rediscovering them.
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <zip.h>

#include <typenet/data/idx.hpp>
#include <typenet/io/weights.hpp>

#include "fuzz_networks.hpp"

namespace fs = std::filesystem;

namespace {

/// SmallNet's tensors as PyTorch names them: nn.Sequential(Conv2d, ReLU, Flatten, Linear).
struct NamedTensor {
    std::string name;
    std::vector<std::size_t> shape;
    std::span<const float> values;
};

std::vector<NamedTensor> small_net_tensors(const fuzz::SmallNet& net) {
    static_assert(fuzz::SmallNet::parameter_count == 18 + 2 + 96 + 3, "SmallNet changed: update its tensors here");
    const float* p = net.parameters().data();
    return {{"0.weight", {2, 1, 3, 3}, {p, 18}},
            {"0.bias", {2}, {p + 18, 2}},
            {"3.weight", {3, 32}, {p + 20, 96}},
            {"3.bias", {3}, {p + 116, 3}}};
}

void write_file(const fs::path& path, const std::vector<unsigned char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<unsigned char> as_bytes(std::span<const float> values) {
    std::vector<unsigned char> bytes(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

void write_safetensors(const fs::path& path, const std::vector<NamedTensor>& tensors) {
    nlohmann::json header = {{"__metadata__", {{"format", "pt"}}}};
    std::vector<unsigned char> data;
    for (const auto& t : tensors) {
        const auto bytes = as_bytes(t.values);
        header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + bytes.size()}}};
        data.insert(data.end(), bytes.begin(), bytes.end());
    }
    const std::string text = header.dump();
    std::vector<unsigned char> file(8);
    const std::uint64_t size = text.size();
    std::memcpy(file.data(), &size, 8);
    file.insert(file.end(), text.begin(), text.end());
    file.insert(file.end(), data.begin(), data.end());
    write_file(path, file);
}

std::vector<unsigned char> npy_bytes(const NamedTensor& t) {
    std::string dims;
    for (std::size_t d : t.shape) dims += std::to_string(d) + ", ";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::vector<unsigned char> bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(header.size()), 0};
    bytes.insert(bytes.end(), header.begin(), header.end());
    const auto values = as_bytes(t.values);
    bytes.insert(bytes.end(), values.begin(), values.end());
    return bytes;
}

/// An npz as numpy.savez (stored) or savez_compressed (deflated) writes it.
void write_npz(const fs::path& path, const std::vector<NamedTensor>& tensors, bool compressed) {
    std::vector<std::vector<unsigned char>> members;
    for (const auto& t : tensors) members.push_back(npy_bytes(t));
    int code = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (archive == nullptr) throw std::runtime_error("cannot create " + path.string());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        zip_source_t* source = zip_source_buffer(archive, members[i].data(), members[i].size(), 0);
        const auto index = zip_file_add(archive, (tensors[i].name + ".npy").c_str(), source, ZIP_FL_OVERWRITE);
        if (index < 0) throw std::runtime_error("cannot add to " + path.string());
        zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), compressed ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0);
    }
    if (zip_close(archive) != 0) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_fuzz_corpus OUTDIR\n");
        return 2;
    }
    const fs::path out = argv[1];
    fs::create_directories(out / "idx_fuzz");
    fs::create_directories(out / "weights_fuzz");
    fs::create_directories(out / "safetensors_fuzz");
    fs::create_directories(out / "npz_fuzz");

    std::vector<std::uint8_t> pixels(3 * 4 * 5);
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
    typenet::write_idx_images(out / "idx_fuzz" / "images-3x4x5", 3, 4, 5, pixels);
    const std::array<std::uint8_t, 3> labels{0, 9, 4};
    typenet::write_idx_labels(out / "idx_fuzz" / "labels-3", labels);

    static fuzz::SmallNet net;
    typenet::initialize(net, typenet::Init::he_uniform, 1);
    typenet::save_weights(net, out / "weights_fuzz" / "small.weights");

    // Files SmallNet accepts, and PyTorch's own (for other networks: they fail later, at matching).
    const auto tensors = small_net_tensors(net);
    write_safetensors(out / "safetensors_fuzz" / "small.safetensors", tensors);
    write_npz(out / "npz_fuzz" / "small-stored.npz", tensors, false);
    write_npz(out / "npz_fuzz" / "small-deflated.npz", tensors, true);
    const fs::path fixtures = TYPENET_PYTORCH_FIXTURES;
    const auto replace = fs::copy_options::overwrite_existing;
    fs::copy_file(fixtures / "seed.safetensors", out / "safetensors_fuzz" / "seed.safetensors", replace);
    fs::copy_file(fixtures / "seed.npz", out / "npz_fuzz" / "seed.npz", replace);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_corpus: %s\n", e.what());
    return 1;
}
