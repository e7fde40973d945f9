// Tests for typenet/data/idx.hpp: round trips, the exact header bytes, and every rejected file.
#define BOOST_TEST_MODULE idx
#include <boost/test/unit_test.hpp>

#include "../support/temp_dir.hpp"

#include <typenet/data/idx.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
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

void write_bytes(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    BOOST_REQUIRE(out.good());
}

Bytes read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A hand-built IDX file: big-endian magic and sizes, then `payload` bytes counting up from 1.
Bytes idx_bytes(std::uint32_t magic, std::initializer_list<std::uint32_t> dims, std::size_t payload) {
    Bytes bytes;
    const auto put = [&](std::uint32_t value) {
        for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
    };
    put(magic);
    for (const auto dim : dims) put(dim);
    for (std::size_t i = 0; i < payload; ++i) bytes.push_back(static_cast<std::uint8_t>(i + 1));
    return bytes;
}

// A predicate for BOOST_CHECK_EXCEPTION: the message must contain every part; a miss names the part.
}  // namespace

BOOST_FIXTURE_TEST_SUITE(idx, TempDir)

BOOST_AUTO_TEST_CASE(images_round_trip_with_big_endian_header) {
    const fs::path path = dir / "images-idx3-ubyte";
    const Bytes pixels{0, 1, 2, 3, 4, 5, 6, 7, 250, 251, 252, 253, 254, 255, 128, 127, 9, 8, 7, 6, 5, 4, 3, 2};
    typenet::write_idx_images(path, 3, 2, 4, pixels);

    const Bytes file = read_bytes(path);
    const Bytes header{0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4};
    BOOST_TEST(file.size() == header.size() + pixels.size());
    BOOST_TEST(Bytes(file.begin(), file.begin() + 16) == header, boost::test_tools::per_element());

    const auto images = typenet::read_idx_images(path);
    BOOST_TEST(images.count == 3u);
    BOOST_TEST(images.rows == 2u);
    BOOST_TEST(images.cols == 4u);
    BOOST_TEST(images.pixels == pixels, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(labels_round_trip_with_big_endian_header) {
    const fs::path path = dir / "labels-idx1-ubyte";
    const Bytes labels{7, 2, 1, 0, 4, 1, 4, 9, 5, 9};
    typenet::write_idx_labels(path, labels);

    const Bytes file = read_bytes(path);
    const Bytes header{0, 0, 8, 1, 0, 0, 0, 10};
    BOOST_TEST(file.size() == header.size() + labels.size());
    BOOST_TEST(Bytes(file.begin(), file.begin() + 8) == header, boost::test_tools::per_element());
    BOOST_TEST(typenet::read_idx_labels(path) == labels, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sizes_are_read_big_endian) {
    // 0x00000102 is 258 when read big-endian and 0x02010000 when read little-endian.
    const fs::path labels_path = dir / "labels-idx1-ubyte";
    write_bytes(labels_path, idx_bytes(0x0801, {0x0102}, 258));
    BOOST_TEST(typenet::read_idx_labels(labels_path).size() == 258u);

    const fs::path images_path = dir / "images-idx3-ubyte";
    write_bytes(images_path, idx_bytes(0x0803, {1, 0x0100, 2}, 512));
    const auto images = typenet::read_idx_images(images_path);
    BOOST_TEST(images.count == 1u);
    BOOST_TEST(images.rows == 256u);
    BOOST_TEST(images.cols == 2u);
}

BOOST_AUTO_TEST_CASE(wrong_magic_names_expected_and_found_in_hex) {
    const fs::path path = dir / "picture.png";
    write_bytes(path, {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H', 'D', 'R'});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "wrong magic number", "expected 0x00000803", "found 0x89504e47",
                                       "not an IDX file"}));
}

BOOST_AUTO_TEST_CASE(labels_file_where_images_expected_and_vice_versa) {
    const fs::path labels_path = dir / "train-labels-idx1-ubyte";
    typenet::write_idx_labels(labels_path, Bytes{1, 2, 3});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(labels_path), typenet::data_error,
                          message_has({labels_path.string(), "expected 0x00000803", "found 0x00000801",
                                       "an idx1 file where an idx3 file was expected"}));

    const fs::path images_path = dir / "train-images-idx3-ubyte";
    typenet::write_idx_images(images_path, 1, 1, 1, Bytes{9});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(images_path), typenet::data_error,
                          message_has({images_path.string(), "expected 0x00000801", "found 0x00000803",
                                       "an idx3 file where an idx1 file was expected"}));
}

BOOST_AUTO_TEST_CASE(gzip_file_says_to_decompress) {
    const fs::path path = dir / "train-images-idx3-ubyte.gz";
    write_bytes(path, {0x1f, 0x8b, 0x08, 0x08, 0x1c, 0x32, 0x8e, 0x4b, 0x00, 0x03, 0x74, 0x72, 0x61, 0x69, 0x6e,
                       0x2d, 0x69, 0x6d, 0x61, 0x67});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "is gzip-compressed; decompress it first (gunzip)"}));
    // Even a .gz too short to hold an IDX magic number gets the gzip hint, not a size complaint.
    write_bytes(path, {0x1f, 0x8b});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(path), typenet::data_error,
                          message_has({path.string(), "gzip-compressed"}));
}

BOOST_AUTO_TEST_CASE(wrong_data_type_code) {
    const fs::path path = dir / "floats-idx3";
    write_bytes(path, idx_bytes(0x0D03, {1, 2, 2}, 16));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "wrong data type code 0x0d (32-bit float)", "0x00000d03",
                                       "only 0x08 (unsigned byte) is supported"}));
}

BOOST_AUTO_TEST_CASE(truncated_file) {
    const fs::path path = dir / "cut-idx3-ubyte";
    Bytes bytes = idx_bytes(0x0803, {3, 2, 4}, 24);
    bytes.resize(bytes.size() - 5);
    write_bytes(path, bytes);
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "is truncated", "3 images of 2x4", "24 bytes of data",
                                       "only 19 bytes follow"}));

    const fs::path labels_path = dir / "cut-idx1-ubyte";
    write_bytes(labels_path, idx_bytes(0x0801, {10}, 9));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(labels_path), typenet::data_error,
                          message_has({labels_path.string(), "is truncated", "10 labels", "only 9 bytes"}));
}

BOOST_AUTO_TEST_CASE(header_count_larger_than_file) {
    const fs::path path = dir / "big-count-idx3-ubyte";
    write_bytes(path, idx_bytes(0x0803, {60000, 28, 28}, 784));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "truncated", "60000 images of 28x28", "47040000 bytes of data",
                                       "only 784 bytes"}));

    // (2^32-1)^3 overflows 64 bits: a naive product would wrap and could pass the size check.
    write_bytes(path, idx_bytes(0x0803, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, 16));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "4294967295 images of 4294967295x4294967295",
                                       "more data than any file can hold"}));
}

BOOST_AUTO_TEST_CASE(trailing_bytes) {
    const fs::path path = dir / "long-idx3-ubyte";
    write_bytes(path, idx_bytes(0x0803, {3, 2, 4}, 27));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "has 3 trailing bytes", "3 images of 2x4", "27 bytes follow"}));
}

BOOST_AUTO_TEST_CASE(zero_dimensions) {
    const fs::path path = dir / "zero-idx3-ubyte";
    write_bytes(path, idx_bytes(0x0803, {5, 0, 28}, 0));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "zero dimension", "declares 0 rows"}));
    write_bytes(path, idx_bytes(0x0803, {0, 28, 28}, 0));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "declares 0 images"}));

    const fs::path labels_path = dir / "zero-idx1-ubyte";
    write_bytes(labels_path, idx_bytes(0x0801, {0}, 0));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(labels_path), typenet::data_error,
                          message_has({labels_path.string(), "declares 0 labels"}));
}

BOOST_AUTO_TEST_CASE(empty_file) {
    const fs::path path = dir / "empty-idx1-ubyte";
    write_bytes(path, {});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(path), typenet::data_error,
                          message_has({path.string(), "file is empty (0 bytes)", "idx1 labels file"}));
}

BOOST_AUTO_TEST_CASE(shorter_than_header) {
    const fs::path path = dir / "short-idx3-ubyte";
    write_bytes(path, {0, 0, 8, 3, 0, 0, 0, 1, 0, 0});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "only 10 bytes long", "16-byte header"}));
    write_bytes(path, {0, 0, 8});
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "only 3 bytes long", "4-byte IDX magic number"}));
}

BOOST_AUTO_TEST_CASE(missing_file_and_directory) {
    const fs::path path = dir / "no-such-idx3-ubyte";
    BOOST_CHECK_EXCEPTION(typenet::read_idx_images(path), typenet::data_error,
                          message_has({path.string(), "does not exist"}));
    BOOST_CHECK_EXCEPTION(typenet::read_idx_labels(dir), typenet::data_error,
                          message_has({dir.string(), "is a directory"}));
}

BOOST_AUTO_TEST_CASE(writer_rejects_what_the_reader_would_reject) {
    const fs::path path = dir / "out-idx3-ubyte";
    BOOST_CHECK_EXCEPTION(typenet::write_idx_images(path, 2, 2, 2, Bytes(7)), typenet::data_error,
                          message_has({path.string(), "2 images of 2x2 need 8 bytes of data but 7 were given"}));
    BOOST_CHECK_EXCEPTION(typenet::write_idx_images(path, 1, 0, 2, Bytes{}), typenet::data_error,
                          message_has({path.string(), "0 rows"}));
    BOOST_CHECK_EXCEPTION(typenet::write_idx_labels(path, Bytes{}), typenet::data_error,
                          message_has({path.string(), "0 labels"}));
    const fs::path missing = dir / "missing-dir";
    BOOST_CHECK_EXCEPTION(typenet::write_idx_labels(missing / "labels", Bytes{1}), typenet::data_error,
                          message_has({(missing / "labels").string(), "cannot be written",
                                       fmt::format("the directory '{}' does not exist", missing.string())}));
}

BOOST_AUTO_TEST_CASE(writer_replaces_a_file_without_leaving_anything_beside_it) {
    const fs::path path = dir / "labels-idx1-ubyte";
    typenet::write_idx_labels(path, Bytes{1, 2, 3});
    typenet::write_idx_labels(path, Bytes{4, 5});
    BOOST_TEST((typenet::read_idx_labels(path) == Bytes{4, 5}));
    std::vector<fs::path> entries{fs::directory_iterator(dir), {}};
    BOOST_TEST(entries.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
