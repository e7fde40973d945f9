// Tests of io/pytorch.hpp: PyTorch's outputs reproduced from imported weights, and every malformed file refused.
#define BOOST_TEST_MODULE pytorch_import
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zip.h>

#include <typenet/init.hpp>
#include <typenet/io/pytorch.hpp>
#include <typenet/typenet.hpp>

using namespace typenet;
namespace fs = std::filesystem;

namespace {

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
using LeNet5 = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU,
                       MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

const fs::path fixtures = TYPENET_PYTORCH_FIXTURES;

std::vector<unsigned char> read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    BOOST_TEST_REQUIRE(static_cast<bool>(in), path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<float> read_floats(const fs::path& path) {
    const auto bytes = read_bytes(path);
    std::vector<float> values(bytes.size() / 4);
    std::memcpy(values.data(), bytes.data(), values.size() * 4);
    return values;
}

/// The largest |typenet - PyTorch| / |PyTorch| over the four reference inputs.
template <class Net>
double largest_relative_error(Net& net, const std::string& name) {
    const auto inputs = read_floats(fixtures / "inputs-4x1x28x28.f32");
    const auto reference = read_floats(fixtures / (name + "-outputs-4x10.f32"));
    BOOST_TEST_REQUIRE(inputs.size() == 4 * 28 * 28);
    BOOST_TEST_REQUIRE(reference.size() == 4 * 10);
    double largest = 0;
    for (std::size_t s = 0; s < 4; ++s) {
        typename Net::input_tensor x;
        std::copy_n(inputs.begin() + static_cast<std::ptrdiff_t>(s * 784), 784, x.begin());
        const auto& y = net.forward(x);
        for (std::size_t k = 0; k < 10; ++k) {
            const double want = reference[s * 10 + k];
            largest = std::max(largest, std::abs(y[k] - want) / std::abs(want));
        }
    }
    return largest;
}

template <class Net>
void check_against_pytorch(const std::string& name, const std::string& extension) {
    auto net = std::make_unique<Net>();
    import_weights(*net, fixtures / (name + extension));
    const double error = largest_relative_error(*net, name);
    BOOST_TEST_MESSAGE(name << extension << ": largest relative error " << error);
    BOOST_TEST(error <= 1e-5);
}

// --- files made by the tests ----------------------------------------------------------------

/// A safetensors file as header and data, to be changed and written back.
struct Safetensors {
    nlohmann::json header;
    std::vector<unsigned char> data;
};

Safetensors read_safetensors(const fs::path& path) {
    const auto bytes = read_bytes(path);
    std::uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    return {nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n)),
            {bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n), bytes.end()}};
}

void write_safetensors(const fs::path& path, const std::string& header, const std::vector<unsigned char>& data) {
    std::vector<unsigned char> bytes(8);
    const std::uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8);
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.insert(bytes.end(), data.begin(), data.end());
    write_bytes(path, bytes);
}

void write_safetensors(const fs::path& path, const Safetensors& file) {
    write_safetensors(path, file.header.dump(), file.data);
}

/// One array of an npz file: its name, numpy dtype, shape and bytes.
struct Array {
    std::string name, descr;
    std::vector<std::size_t> shape;
    std::vector<unsigned char> data;
    bool fortran_order = false;
};

std::vector<unsigned char> npy_bytes(const Array& a) {
    std::string dims;
    for (std::size_t d : a.shape) dims += std::to_string(d) + ", ";
    std::string header = "{'descr': '" + a.descr + "', 'fortran_order': " + (a.fortran_order ? "True" : "False") +
                         ", 'shape': (" + dims + "), }";
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::vector<unsigned char> bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    bytes.push_back(static_cast<unsigned char>(header.size() & 0xff));
    bytes.push_back(static_cast<unsigned char>(header.size() >> 8));
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.insert(bytes.end(), a.data.begin(), a.data.end());
    return bytes;
}

void write_zip(const fs::path& path, const std::vector<std::pair<std::string, std::vector<unsigned char>>>& members) {
    int code = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    BOOST_TEST_REQUIRE(archive != nullptr);
    for (const auto& [name, bytes] : members) {
        zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
        const auto index = zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE);
        BOOST_TEST_REQUIRE(index >= 0);
        zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
    }
    BOOST_TEST_REQUIRE(zip_close(archive) == 0);
}

void write_npz(const fs::path& path, const std::vector<Array>& arrays) {
    std::vector<std::pair<std::string, std::vector<unsigned char>>> members;
    for (const auto& a : arrays) members.emplace_back(a.name + ".npy", npy_bytes(a));
    write_zip(path, members);
}

/// The seed network's tensors from its safetensors fixture, in state_dict order, as float32 arrays.
std::vector<Array> seed_arrays() {
    const auto file = read_safetensors(fixtures / "seed.safetensors");
    std::vector<Array> arrays;
    for (const char* name : {"0.weight", "0.bias", "2.weight", "2.bias", "5.weight", "5.bias", "7.weight", "7.bias"}) {
        const auto& entry = file.header[name];
        const auto begin = entry["data_offsets"][0].get<std::size_t>(), end = entry["data_offsets"][1].get<std::size_t>();
        arrays.push_back({name, "<f4", entry["shape"].get<std::vector<std::size_t>>(),
                          {file.data.begin() + static_cast<std::ptrdiff_t>(begin),
                           file.data.begin() + static_cast<std::ptrdiff_t>(end)}});
    }
    return arrays;
}

Array* find(std::vector<Array>& arrays, const std::string& name) {
    for (auto& a : arrays)
        if (a.name == name) return &a;
    return nullptr;
}

/// A seed network with recognisable weights, to prove that a failed import leaves it alone.
struct Untouched {
    std::unique_ptr<SeedNet> net = std::make_unique<SeedNet>();
    SeedNet::parameter_tensor before;
    Untouched() {
        initialize(*net, Init::he_uniform, 7);
        before = net->parameters();
    }
    bool untouched() const { return net->parameters() == before; }
};

/// Runs the import of `path` into a fresh network and checks that it fails with every part of
/// `expected` in the message, and leaves the network as it was.
void expect_refused(const fs::path& path, const std::vector<std::string>& expected, const LayerNames& names = {}) {
    Untouched subject;
    std::string message;
    try {
        import_weights(*subject.net, path, names);
    } catch (const import_error& e) {
        message = e.what();
    }
    BOOST_TEST_MESSAGE(message);
    BOOST_TEST(!message.empty(), path << " was accepted");
    BOOST_TEST(message.find(path.string()) != std::string::npos, message);
    for (const auto& part : expected) BOOST_TEST(message.find(part) != std::string::npos, message << " / " << part);
    BOOST_TEST(subject.untouched());
}

}  // namespace

BOOST_AUTO_TEST_CASE(seed_network_matches_pytorch) {
    check_against_pytorch<SeedNet>("seed", ".safetensors");
    check_against_pytorch<SeedNet>("seed", ".npz");
}

BOOST_AUTO_TEST_CASE(lenet5_matches_pytorch) {
    check_against_pytorch<LeNet5>("lenet", ".safetensors");
    check_against_pytorch<LeNet5>("lenet", ".npz");  // deflated members (savez_compressed)
}

BOOST_AUTO_TEST_CASE(names_order_and_format_give_the_same_weights) {
    auto by_order = std::make_unique<LeNet5>(), by_name = std::make_unique<LeNet5>(), npz = std::make_unique<LeNet5>();
    import_safetensors(*by_order, fixtures / "lenet.safetensors");
    import_safetensors(*by_name, fixtures / "lenet.safetensors", {"0", "3", "7", "9", "11"});
    import_npz(*npz, fixtures / "lenet.npz", {"0", "3", "7", "9", "11"});
    BOOST_TEST((by_order->parameters() == by_name->parameters()));
    BOOST_TEST((by_order->parameters() == npz->parameters()));
}

BOOST_AUTO_TEST_CASE(an_import_target_imports_as_the_network_does) {
    // What a translation unit without the network's type sees (examples/support/pytorch_import.cpp).
    auto direct = std::make_unique<LeNet5>(), through_target = std::make_unique<LeNet5>();
    import_weights(*direct, fixtures / "lenet.npz");
    const ImportTarget<float> target = import_target(*through_target);
    BOOST_TEST(target.parameters.size() == LeNet5::parameter_count);
    BOOST_TEST(target.tensors.size() == 10u);
    BOOST_TEST(target.tensors[1].role == "bias");
    BOOST_TEST(target.tensors[1].offset == 150u);  // after conv1's 6x1x5x5 weight
    import_weights(target, fixtures / "lenet.npz");
    BOOST_TEST((direct->parameters() == through_target->parameters()));

    // Another network's weights are refused through a target too, leaving it untouched.
    auto before = std::make_unique<LeNet5>(*through_target);
    BOOST_CHECK_THROW(import_weights(import_target(*through_target), fixtures / "seed.npz"), import_error);
    BOOST_TEST((before->parameters() == through_target->parameters()));
}

BOOST_AUTO_TEST_CASE(safetensors_sorted_by_name_is_matched_in_numeric_order) {
    // PyTorch's safetensors writer stores tensors sorted by name, so "11.bias" comes before "3.bias".
    auto file = read_safetensors(fixtures / "lenet.safetensors");
    std::vector<unsigned char> data;
    nlohmann::json header = nlohmann::json::object();
    for (const auto& [name, entry] : file.header.items()) {  // nlohmann sorts keys: "0.bias", "11.bias", ...
        if (name == "__metadata__") continue;
        const auto begin = entry["data_offsets"][0].get<std::size_t>(), end = entry["data_offsets"][1].get<std::size_t>();
        header[name] = entry;
        header[name]["data_offsets"] = {data.size(), data.size() + end - begin};
        data.insert(data.end(), file.data.begin() + static_cast<std::ptrdiff_t>(begin),
                    file.data.begin() + static_cast<std::ptrdiff_t>(end));
    }
    write_safetensors("sorted.safetensors", {header, data});
    auto sorted = std::make_unique<LeNet5>(), reference = std::make_unique<LeNet5>();
    import_weights(*sorted, "sorted.safetensors");
    import_weights(*reference, fixtures / "lenet.safetensors");
    BOOST_TEST((sorted->parameters() == reference->parameters()));
}

BOOST_AUTO_TEST_CASE(the_format_is_told_by_content_not_by_name) {
    fs::copy_file(fixtures / "seed.npz", "really-an-npz.safetensors", fs::copy_options::overwrite_existing);
    fs::copy_file(fixtures / "seed.safetensors", "really-safetensors.npz", fs::copy_options::overwrite_existing);
    auto a = std::make_unique<SeedNet>(), b = std::make_unique<SeedNet>();
    import_weights(*a, "really-an-npz.safetensors");
    import_weights(*b, "really-safetensors.npz");
    BOOST_TEST((a->parameters() == b->parameters()));
    BOOST_TEST(largest_relative_error(*a, "seed") <= 1e-5);
}

BOOST_AUTO_TEST_CASE(doubles_are_narrowed) {
    auto arrays = seed_arrays();
    for (auto& a : arrays) {
        std::vector<unsigned char> wide(a.data.size() * 2);
        for (std::size_t i = 0; i < a.data.size() / 4; ++i) {
            float f;
            std::memcpy(&f, a.data.data() + 4 * i, 4);
            const double d = f;
            std::memcpy(wide.data() + 8 * i, &d, 8);
        }
        a.data = wide;
        a.descr = "<f8";
    }
    write_npz("double.npz", arrays);
    auto net = std::make_unique<SeedNet>(), reference = std::make_unique<SeedNet>();
    import_weights(*net, "double.npz");
    import_weights(*reference, fixtures / "seed.npz");
    BOOST_TEST((net->parameters() == reference->parameters()));
}

BOOST_AUTO_TEST_CASE(safetensors_errors_name_the_tensor_and_leave_the_network_untouched) {
    const auto good = read_safetensors(fixtures / "seed.safetensors");
    auto changed = [&](auto change) {
        auto file = good;
        change(file);
        write_safetensors("bad.safetensors", file);
        return fs::path("bad.safetensors");
    };
    expect_refused(changed([](Safetensors& f) { f.header["0.weight"]["shape"] = {8, 9}; }),
                   {"tensor '0.weight' has shape [8, 9]", "layer 0 (Conv2D) expects its weight as [8, 1, 3, 3]"});
    expect_refused(changed([](Safetensors& f) { f.header["5.weight"]["shape"] = {72, 2, 36}; }),
                   {"'5.weight'", "[72, 2, 36]", "[72, 72]"});
    expect_refused(changed([](Safetensors& f) {
                       f.header["7.bias"]["dtype"] = "F16";
                       f.header["7.bias"]["shape"] = {20};
                   }),
                   {"'7.bias' has shape [20]", "[10]"});
    expect_refused(changed([](Safetensors& f) {
                       f.header["7.bias"]["dtype"] = "I32";
                   }),
                   {"tensor '7.bias' holds I32 values"});
    expect_refused(changed([](Safetensors& f) {
                       f.header["9.weight"] = {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {f.data.size(), f.data.size() + 8}}};
                       f.data.resize(f.data.size() + 8);
                   }),
                   {"tensor '9.weight' [2] belongs to no layer"});
    expect_refused(changed([](Safetensors& f) {
                       f.header.erase("7.bias");
                       f.data.resize(f.data.size() - 40);
                   }),
                   {"no tensor '7.bias' for layer 7 (Dense) bias, expected shape [10]"});
    expect_refused(changed([](Safetensors& f) { f.header["7.bias"]["data_offsets"][1] = f.data.size() + 4; }),
                   {"tensor '7.bias'", "lie outside"});
    expect_refused(changed([](Safetensors& f) { f.header["7.bias"]["data_offsets"][0] = 0; }),
                   {"needs 40 bytes"});
    expect_refused(changed([](Safetensors& f) {
                       f.header["0.bias"]["data_offsets"] = f.header["0.weight"]["data_offsets"];
                       f.header["0.bias"]["shape"] = {72};
                   }),
                   {"overlaps"});
    expect_refused(changed([](Safetensors& f) { f.header["7.bias"] = "x"; }), {"tensor '7.bias' is not"});
    expect_refused(changed([](Safetensors& f) {
                       const float nan = std::numeric_limits<float>::quiet_NaN();
                       std::memcpy(f.data.data() + f.header["5.bias"]["data_offsets"][0].get<std::size_t>() + 12,
                                   &nan, 4);
                   }),
                   {"tensor '5.bias' value 3 is nan, not a finite number"});
    expect_refused(changed([](Safetensors&) {}), {"3 layer names given", "4 layers with parameters"}, {"0", "2", "5"});
    expect_refused(changed([](Safetensors&) {}), {"layer name '0' is given twice"}, {"0", "0", "5", "7"});
    expect_refused(changed([](Safetensors&) {}), {"no tensor 'features.0.weight'"},
                   {"features.0", "2", "5", "7"});

    write_safetensors("bad.safetensors", "{\"0.weight\": ", good.data);
    expect_refused("bad.safetensors", {"not valid JSON"});
    write_safetensors("bad.safetensors", "[1, 2]", good.data);
    expect_refused("bad.safetensors", {"not a JSON object"});

    auto bytes = read_bytes(fixtures / "seed.safetensors");
    bytes.resize(bytes.size() / 2);
    write_bytes("bad.safetensors", bytes);
    expect_refused("bad.safetensors", {"lie outside"});
    bytes.resize(20);
    write_bytes("bad.safetensors", bytes);
    expect_refused("bad.safetensors", {"not a safetensors file: its header claims 576 bytes"});
    write_bytes("bad.safetensors", {1, 2, 3});
    expect_refused("bad.safetensors", {"too short for a safetensors file"});
    expect_refused("no-such-file.safetensors", {"cannot open the file"});
    fs::create_directories("folder.safetensors");
    expect_refused("folder.safetensors", {"is a directory"});
}

BOOST_AUTO_TEST_CASE(npz_errors_name_the_tensor_and_leave_the_network_untouched) {
    const auto good = seed_arrays();
    write_npz("good.npz", good);
    {
        Untouched subject;
        import_weights(*subject.net, "good.npz");
        auto reference = std::make_unique<SeedNet>();
        import_weights(*reference, fixtures / "seed.npz");
        BOOST_TEST((subject.net->parameters() == reference->parameters()));
    }
    auto changed = [&](auto change) {
        auto arrays = good;
        change(arrays);
        write_npz("bad.npz", arrays);
        return fs::path("bad.npz");
    };
    expect_refused(changed([](auto& a) { find(a, "2.weight")->shape = {2, 8, 9}; }),
                   {"tensor '2.weight' has shape [2, 8, 9]", "layer 2 (Conv2D) expects its weight as [2, 8, 3, 3]"});
    expect_refused(changed([](auto& a) { a.pop_back(); }), {"no tensor '7.bias'"});
    expect_refused(changed([](auto& a) { a.push_back({"extra", "<f4", {1}, {0, 0, 0, 0}}); }),
                   {"tensor 'extra' [1] belongs to no layer"});
    expect_refused(changed([](auto& a) {
                       find(a, "0.bias")->descr = "<f2";
                       find(a, "0.bias")->data.resize(16);
                   }),
                   {"tensor '0.bias' holds <f2 values"});
    expect_refused(changed([](auto& a) { find(a, "0.bias")->fortran_order = true; }), {"Fortran order"});
    expect_refused(changed([](auto& a) { find(a, "0.bias")->data.resize(28); }),
                   {"array '0.bias' of shape [8] and dtype <f4 needs 32 bytes", "holds 28"});
    expect_refused(changed([](auto& a) { find(a, "0.bias")->data[1] = 0xff, find(a, "0.bias")->data[2] = 0xff,
                                         find(a, "0.bias")->data[3] = 0x7f; }),
                   {"tensor '0.bias' value 0 is nan"});
    expect_refused(changed([](auto& a) { std::swap(a[0], a[4]), std::swap(a[1], a[5]); }),
                   {"tensor '5.weight' has shape [72, 72]", "layer 0 (Conv2D)", "pass the layer names to match by name"});

    write_zip("bad.npz", {{"0.weight.npy", {'N', 'U', 'M', 'P', 'Y', 0, 1, 0, 10, 0, '{', '}'}}});
    expect_refused("bad.npz", {"member '0.weight.npy' is not a version 1-3 .npy array"});
    auto blank = npy_bytes(good[0]);
    std::fill(blank.begin() + 10, blank.begin() + 10 + 117, ' ');
    write_zip("bad.npz", {{"0.weight.npy", blank}});
    expect_refused("bad.npz", {"malformed .npy header"});
    write_zip("bad.npz", {{"notes.txt", {'h', 'i'}}});
    expect_refused("bad.npz", {"member 'notes.txt' is not a .npy array"});

    // A flipped value byte in a stored member: only the zip CRC can tell.
    auto bytes = read_bytes(fixtures / "seed.npz");
    const unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    const auto npy = std::search(bytes.begin(), bytes.end(), magic, magic + 6);
    BOOST_TEST_REQUIRE((npy != bytes.end()));
    npy[128 + 5] ^= 0x01;  // past the 128-byte npy header of "0.weight"
    write_bytes("bad.npz", bytes);
    expect_refused("bad.npz", {"0.weight.npy", "CRC"});
    bytes = read_bytes(fixtures / "seed.npz");
    bytes.resize(bytes.size() - 100);
    write_bytes("bad.npz", bytes);
    expect_refused("bad.npz", {"not a readable .npz (zip) file"});
    write_bytes("bad.npz", {'P', 'K', 3, 4, 0, 0});
    expect_refused("bad.npz", {"not a readable .npz (zip) file"});
}
