// save_weights / load_weights: exact round trip, and every malformed file rejected without harm.
#define BOOST_TEST_MODULE weights
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <ratio>
#include <string>
#include <thread>
#include <vector>

#include <typenet/io/weights.hpp>
#include <typenet/typenet.hpp>

using namespace typenet;
namespace fs = std::filesystem;

namespace {

using Small = Network<Input<1, 8, 8>, Conv2D<3, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<4>>;
using Wider = Network<Input<1, 8, 8>, Conv2D<4, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<4>>;
// Same parameter count as Small, different layers: conv 3x3x3+3 = 30, dense 27*4+4 = 112 vs ...
using Reordered = Network<Input<1, 8, 8>, Conv2D<3, Kernel<3>>, Tanh, MaxPool<2>, Flatten, Dense<4>>;

std::vector<char> read_all(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
}

void write_all(const fs::path& path, const std::vector<char>& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), std::streamsize(bytes.size()));
}

/// Loading `path` into a trained network must fail with `needle` in the message and change nothing.
void expect_rejected(const fs::path& path, const std::string& needle) {
    Small net;
    initialize(net, Init::he_uniform, 99);
    const auto before = net.parameters();
    BOOST_CHECK_EXCEPTION(load_weights(net, path), weights_error, [&](const weights_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        const std::string message = e.what();
        return message.find(needle) != std::string::npos && message.find(path.string()) != std::string::npos;
    });
    BOOST_TEST((net.parameters() == before));
}

struct Saved {
    fs::path path = fs::path("weights_test.bin");
    Small net;
    Saved() {
        initialize(net, Init::he_normal, 5);
        save_weights(net, path);
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(round_trip_is_exact, Saved) {
    Small loaded;
    load_weights(loaded, path);
    BOOST_TEST((loaded.parameters() == net.parameters()));
    BOOST_TEST(fs::file_size(path) == 32u + Small::parameter_count * 4u + 8u);
}

BOOST_FIXTURE_TEST_CASE(save_leaves_only_the_file, Saved) {
    const fs::path dir = fs::path("only_the_file");
    fs::remove_all(dir);
    fs::create_directory(dir);
    save_weights(net, dir / "w.bin");
    save_weights(net, dir / "w.bin");
    std::vector<fs::path> entries{fs::directory_iterator(dir), {}};
    BOOST_TEST(entries.size() == 1u);
    BOOST_TEST(entries.front().filename() == "w.bin");
}

BOOST_FIXTURE_TEST_CASE(save_into_a_missing_directory_names_it, Saved) {
    const fs::path target = fs::path("no-such-directory") / "w.bin";
    BOOST_CHECK_EXCEPTION(save_weights(net, target), weights_error, [&](const weights_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        const std::string message = e.what();
        return message.find(target.string()) != std::string::npos &&
               message.find("directory 'no-such-directory' does not exist") != std::string::npos;
    });
}

// Two savers of one path must not share a temporary file: the result is one complete file.
BOOST_FIXTURE_TEST_CASE(concurrent_saves_leave_one_complete_file, Saved) {
    Small other;
    initialize(other, Init::he_normal, 6);
    const fs::path target = "concurrent.bin";
    std::atomic<int> failures{0};
    auto saver = [&](const Small& source) {
        for (int i = 0; i < 400; ++i) {
            try {
                save_weights(source, target);
            } catch (const weights_error&) {
                ++failures;
            }
        }
    };
    std::thread first(saver, std::cref(net));
    std::thread second(saver, std::cref(other));
    first.join();
    second.join();
    BOOST_TEST(failures.load() == 0);
    Small loaded;
    load_weights(loaded, target);
    BOOST_TEST((loaded.parameters() == net.parameters() || loaded.parameters() == other.parameters()));
}

BOOST_FIXTURE_TEST_CASE(missing_file, Saved) { expect_rejected("no-such-weights.bin", "cannot open"); }

BOOST_FIXTURE_TEST_CASE(empty_and_short_files, Saved) {
    write_all(path, {});
    expect_rejected(path, "too short");
    write_all(path, {'T', 'Y', 'P'});
    expect_rejected(path, "too short");
}

BOOST_FIXTURE_TEST_CASE(wrong_magic, Saved) {
    auto bytes = read_all(path);
    bytes[0] = 'X';
    write_all(path, bytes);
    expect_rejected(path, "wrong magic");
}

BOOST_FIXTURE_TEST_CASE(unsupported_version, Saved) {
    auto bytes = read_all(path);
    bytes[8] = 7;
    write_all(path, bytes);
    expect_rejected(path, "version 7 is not supported");
}

BOOST_FIXTURE_TEST_CASE(version_1_files_are_refused_with_advice, Saved) {
    auto bytes = read_all(path);
    bytes[8] = 1;
    write_all(path, bytes);
    expect_rejected(path, "written by an older typenet (weights format 1)");
    expect_rejected(path, "save the weights again with this version");
}

BOOST_FIXTURE_TEST_CASE(double_weights_into_a_float_network, Saved) {
    Small::with_scalar<double> doubles;
    initialize(doubles, Init::he_normal, 5);
    save_weights(doubles, path);
    expect_rejected(path, "8-byte values, but the network uses 4-byte values");
}

BOOST_FIXTURE_TEST_CASE(weights_of_another_network, Saved) {
    Wider wider;
    save_weights(wider, path);
    expect_rejected(path, "different network");
    static_assert(Reordered::parameter_count == Small::parameter_count);
    Reordered same_count;
    save_weights(same_count, path);
    expect_rejected(path, "a layer setting differs");
}

namespace {

/// Weights saved from `From` must not load into `To`, and `To` must be left as it was.
template <class From, class To>
void expect_layouts_differ() {
    static_assert(From::parameter_count == To::parameter_count, "the test is about layouts, not counts");
    const fs::path path = "layout.bin";
    From from;
    initialize(from, Init::he_normal, 3);
    save_weights(from, path);
    To to;
    initialize(to, Init::he_normal, 4);
    const auto before = to.parameters();
    BOOST_CHECK_EXCEPTION(load_weights(to, path), weights_error, [&](const weights_error& e) {
        BOOST_TEST_MESSAGE(e.what());
        return std::string(e.what()).find("different network") != std::string::npos;
    });
    BOOST_TEST((to.parameters() == before));
}

template <class From, class To>
void expect_layouts_match() {
    const fs::path path = "layout.bin";
    From from;
    initialize(from, Init::he_normal, 3);
    save_weights(from, path);
    To to;
    load_weights(to, path);
    BOOST_TEST((to.parameters() == from.parameters()));
}

}  // namespace

// The text is hashed into every weights file: changing it orphans all saved files, so it is pinned.
BOOST_AUTO_TEST_CASE(layout_text_is_pinned) {
    BOOST_TEST(detail::weights_layout<Small>() ==
               "4-byte float (24 digits); input 1x8x8; Conv2D filters=3 kernel_h=3 kernel_w=3 stride_h=1 stride_w=1 "
               "pad_h=0 pad_w=0 -> 3x6x6; ReLU -> 3x6x6; MaxPool size=2 step=2 -> 3x3x3; Flatten -> 27; "
               "Dense units=4 -> 4");
    using Doubles = Network<Input<4>, LeakyReLU<>>::with_scalar<double>;
    BOOST_TEST(detail::weights_layout<Doubles>() ==
               "8-byte float (53 digits); input 4; LeakyReLU alpha_num=1 alpha_den=1000 -> 4");
}

BOOST_AUTO_TEST_CASE(transposed_kernel_is_another_network) {
    // 3x9x1 and 3x1x9 outputs: same sizes and counts, different meaning of every weight.
    expect_layouts_differ<Network<Input<1, 9, 9>, Conv2D<3, Kernel<1, 9>>, Flatten, Dense<2>>,
                          Network<Input<1, 9, 9>, Conv2D<3, Kernel<9, 1>>, Flatten, Dense<2>>>();
}

BOOST_AUTO_TEST_CASE(transposed_input_is_another_network) {
    expect_layouts_differ<Network<Input<1, 8, 9>, Flatten, Dense<2>>, Network<Input<1, 9, 8>, Flatten, Dense<2>>>();
}

BOOST_AUTO_TEST_CASE(stride_pad_pool_step_and_alpha_are_part_of_the_layout) {
    // Each pair has the same output shapes and parameter counts.
    expect_layouts_differ<Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>, Stride<3>>, Flatten, Dense<2>>,
                          Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>, Stride<4>>, Flatten, Dense<2>>>();
    expect_layouts_differ<Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>, Stride<4>, Pad<0>>, Flatten, Dense<2>>,
                          Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>, Stride<4>, Pad<1>>, Flatten, Dense<2>>>();
    expect_layouts_differ<Network<Input<1, 8, 8>, MaxPool<3, 3>, Flatten, Dense<2>>,
                          Network<Input<1, 8, 8>, MaxPool<3, 4>, Flatten, Dense<2>>>();
    expect_layouts_differ<Network<Input<4>, Dense<3>, LeakyReLU<>, Dense<2>>,
                          Network<Input<4>, Dense<3>, LeakyReLU<std::ratio<1, 100>>, Dense<2>>>();
}

BOOST_AUTO_TEST_CASE(equivalent_spellings_share_a_layout) {
    expect_layouts_match<Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>, Pad<same>, Stride<2>>, Flatten, Dense<2>>,
                         Network<Input<1, 8, 8>, Conv2D<2, Stride<2>, Kernel<3, 3>, Pad<1>>, Flatten, Dense<2>>>();
}

BOOST_FIXTURE_TEST_CASE(truncated_and_trailing_bytes, Saved) {
    auto bytes = read_all(path);
    write_all(path, std::vector<char>(bytes.begin(), bytes.end() - 9));
    expect_rejected(path, "truncated");
    bytes.push_back(0);
    write_all(path, bytes);
    expect_rejected(path, "trailing bytes");
}

BOOST_FIXTURE_TEST_CASE(flipped_bit_fails_the_checksum, Saved) {
    auto bytes = read_all(path);
    bytes[40] ^= 0x10;
    write_all(path, bytes);
    expect_rejected(path, "checksum mismatch");
}

BOOST_FIXTURE_TEST_CASE(non_finite_parameter_is_rejected, Saved) {
    net.parameters()[7] = std::numeric_limits<float>::infinity();
    save_weights(net, path);
    expect_rejected(path, "parameter 7 is inf");
}
