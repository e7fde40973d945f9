// IDX files of unsigned bytes (the MNIST format): validated reading and writing of idx1 and idx3.
#pragma once

#include <typenet/data/error.hpp>
#include <typenet/io/atomic_file.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ios>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace typenet {

namespace detail {

// An IDX file starts with the magic number 00 00 <type code> <number of dimensions>, then one
// big-endian 32-bit size per dimension, then the items in row-major order.
inline constexpr std::uint8_t idx_unsigned_byte = 0x08;
inline constexpr std::uint8_t gzip_magic[2] = {0x1f, 0x8b};

template <std::size_t Rank>
struct IdxLayout;

template <>
struct IdxLayout<1> {
    static constexpr std::array<std::string_view, 1> dim_names{"labels"};
};

template <>
struct IdxLayout<3> {
    static constexpr std::array<std::string_view, 3> dim_names{"images", "rows", "columns"};
};

constexpr std::uint32_t idx_magic(std::size_t rank) {
    return (std::uint32_t{idx_unsigned_byte} << 8) | static_cast<std::uint32_t>(rank);
}

inline std::string idx_kind(std::size_t rank) {
    if (rank == 1) return "idx1 labels file";
    if (rank == 3) return "idx3 images file";
    return fmt::format("idx{} file", rank);
}

constexpr std::string_view idx_type_name(std::uint8_t code) {
    switch (code) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "16-bit integer";
        case 0x0C: return "32-bit integer";
        case 0x0D: return "32-bit float";
        case 0x0E: return "64-bit float";
        default: return "not an IDX type";
    }
}

template <std::size_t Rank>
std::string describe_idx(const std::array<std::size_t, Rank>& dims) {
    if constexpr (Rank == 1) {
        return fmt::format("{} labels", dims[0]);
    } else {
        return fmt::format("{} images of {}x{}", dims[0], dims[1], dims[2]);
    }
}

[[noreturn]] inline void idx_fail(const std::filesystem::path& path, std::string_view problem) {
    throw data_error(fmt::format("{}: {}", path.string(), problem));
}

// Decoded by hand so the result does not depend on the host's byte order.
inline std::uint32_t read_big_endian(const unsigned char* bytes) {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
           (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

inline void write_big_endian(unsigned char* bytes, std::uint32_t value) {
    bytes[0] = static_cast<unsigned char>(value >> 24);
    bytes[1] = static_cast<unsigned char>(value >> 16);
    bytes[2] = static_cast<unsigned char>(value >> 8);
    bytes[3] = static_cast<unsigned char>(value);
}

// A corrupt header can claim up to (2^32-1)^3 bytes, which overflows 64 bits: multiply with a
// check so the size comparison below cannot be fooled by wrap-around.
template <std::size_t Rank>
bool checked_product(const std::array<std::size_t, Rank>& dims, std::uintmax_t& product) {
    product = 1;
    for (const auto dim : dims) {
        if (dim != 0 && product > std::numeric_limits<std::uintmax_t>::max() / dim) return false;
        product *= dim;
    }
    return true;
}

template <std::size_t Rank>
struct IdxContents {
    std::array<std::size_t, Rank> dims{};
    std::vector<std::uint8_t> data;
};

template <std::size_t Rank>
IdxContents<Rank> read_idx(const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    constexpr std::size_t header_size = 4 + 4 * Rank;
    constexpr std::uint32_t expected_magic = idx_magic(Rank);

    std::error_code error;
    const auto status = fs::status(path, error);
    if (status.type() == fs::file_type::not_found) idx_fail(path, "file does not exist");
    if (status.type() == fs::file_type::none) {
        idx_fail(path, fmt::format("cannot be accessed ({})", error.message()));
    }
    if (fs::is_directory(status)) idx_fail(path, "is a directory, not an IDX file");
    if (!fs::is_regular_file(status)) idx_fail(path, "is not a regular file");
    const std::uintmax_t file_size = fs::file_size(path, error);
    if (error) idx_fail(path, fmt::format("cannot determine its size ({})", error.message()));

    std::ifstream in(path, std::ios::binary);
    if (!in) idx_fail(path, "cannot be opened for reading (check its permissions)");
    if (file_size == 0) idx_fail(path, fmt::format("file is empty (0 bytes); expected an {}", idx_kind(Rank)));

    std::array<unsigned char, header_size> header{};
    const auto header_bytes = static_cast<std::streamsize>(std::min<std::uintmax_t>(file_size, header_size));
    in.read(reinterpret_cast<char*>(header.data()), header_bytes);
    if (in.gcount() != header_bytes) idx_fail(path, "read error while reading the header");

    // Checked before the length so that a short .gz file still gets the helpful message.
    if (file_size >= 2 && header[0] == gzip_magic[0] && header[1] == gzip_magic[1]) {
        idx_fail(path, "is gzip-compressed; decompress it first (gunzip)");
    }
    if (file_size < 4) {
        idx_fail(path, fmt::format("is only {} bytes long, shorter than the 4-byte IDX magic number", file_size));
    }
    const std::uint32_t found_magic = read_big_endian(header.data());
    if (header[0] != 0 || header[1] != 0) {
        idx_fail(path, fmt::format("wrong magic number: expected {:#010x} ({}) but found {:#010x}; this is not an IDX file",
                                   expected_magic, idx_kind(Rank), found_magic));
    }
    if (header[2] != idx_unsigned_byte) {
        idx_fail(path, fmt::format("wrong data type code {:#04x} ({}) in magic number {:#010x}; only {:#04x} "
                                   "(unsigned byte) is supported, expected magic number {:#010x}",
                                   header[2], idx_type_name(header[2]), found_magic, idx_unsigned_byte,
                                   expected_magic));
    }
    if (header[3] != Rank) {
        idx_fail(path, fmt::format("wrong magic number: expected {:#010x} ({}) but found {:#010x} ({}): an idx{} file "
                                   "where an idx{} file was expected",
                                   expected_magic, idx_kind(Rank), found_magic, idx_kind(header[3]), header[3], Rank));
    }
    if (file_size < header_size) {
        idx_fail(path, fmt::format("is only {} bytes long, shorter than the {}-byte header of an {}", file_size,
                                   header_size, idx_kind(Rank)));
    }

    IdxContents<Rank> contents;
    for (std::size_t i = 0; i < Rank; ++i) {
        contents.dims[i] = read_big_endian(header.data() + 4 + 4 * i);
        if (contents.dims[i] == 0) {
            idx_fail(path, fmt::format("zero dimension: the header declares 0 {}", IdxLayout<Rank>::dim_names[i]));
        }
    }

    // Compare the claimed size with the real one before allocating anything.
    const std::uintmax_t available = file_size - header_size;
    std::uintmax_t expected = 0;
    if (!checked_product(contents.dims, expected)) {
        idx_fail(path, fmt::format("is truncated or corrupt: the header declares {}, more data than any file can "
                                   "hold, but only {} bytes follow the header",
                                   describe_idx(contents.dims), available));
    }
    if (expected > available) {
        idx_fail(path, fmt::format("is truncated: the header declares {} ({} bytes of data) but only {} bytes "
                                   "follow the {}-byte header",
                                   describe_idx(contents.dims), expected, available, header_size));
    }
    if (expected < available) {
        idx_fail(path, fmt::format("has {} trailing bytes: the header declares {} ({} bytes of data) but {} bytes "
                                   "follow the {}-byte header",
                                   available - expected, describe_idx(contents.dims), expected, available,
                                   header_size));
    }
    if (expected > std::numeric_limits<std::size_t>::max()) {
        idx_fail(path, fmt::format("holds {} bytes of data, too many to load on this platform", expected));
    }

    contents.data.resize(static_cast<std::size_t>(expected));
    in.read(reinterpret_cast<char*>(contents.data.data()), static_cast<std::streamsize>(expected));
    if (static_cast<std::uintmax_t>(in.gcount()) != expected) {
        idx_fail(path, fmt::format("read error: got {} of {} data bytes (was the file changed while reading?)",
                                   in.gcount(), expected));
    }
    return contents;
}

/// Writes the file atomically (see write_file_atomically): after an error `path` is unchanged.
template <std::size_t Rank>
void write_idx(const std::filesystem::path& path, const std::array<std::size_t, Rank>& dims,
               std::span<const std::uint8_t> data) {
    // Refuse to write what read_idx would reject, so a writer bug shows up here and not later.
    for (std::size_t i = 0; i < Rank; ++i) {
        if (dims[i] == 0) {
            idx_fail(path, fmt::format("cannot write an {}: 0 {} (IDX readers reject zero dimensions)",
                                       idx_kind(Rank), IdxLayout<Rank>::dim_names[i]));
        }
        if (dims[i] > std::numeric_limits<std::uint32_t>::max()) {
            idx_fail(path, fmt::format("cannot write an {}: {} {} do not fit the 32-bit header field", idx_kind(Rank),
                                       dims[i], IdxLayout<Rank>::dim_names[i]));
        }
    }
    std::uintmax_t expected = 0;
    if (!checked_product(dims, expected) || expected != data.size()) {
        idx_fail(path, fmt::format("cannot write an {}: {} need {} bytes of data but {} were given", idx_kind(Rank),
                                   describe_idx(dims), expected, data.size()));
    }

    std::array<unsigned char, 4 + 4 * Rank> header{};
    write_big_endian(header.data(), idx_magic(Rank));
    for (std::size_t i = 0; i < Rank; ++i) {
        write_big_endian(header.data() + 4 + 4 * i, static_cast<std::uint32_t>(dims[i]));
    }

    std::vector<std::byte> file(header.size() + data.size());
    std::memcpy(file.data(), header.data(), header.size());
    if (!data.empty()) std::memcpy(file.data() + header.size(), data.data(), data.size());
    try {
        write_file_atomically(path, file);
    } catch (const file_error& error) {
        idx_fail(path, fmt::format("cannot be written: {}", error.reason));
    }
}

}  // namespace detail

/// The contents of an idx3 unsigned-byte file: `count` images of `rows` x `cols`, sample-major.
struct IdxImages {
    std::size_t count = 0;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<std::uint8_t> pixels;
};

/// Reads an idx3 unsigned-byte file (e.g. `train-images-idx3-ubyte`). Throws `data_error`, naming the
/// file and the problem, for a missing, empty, compressed, truncated or otherwise malformed file.
inline IdxImages read_idx_images(const std::filesystem::path& path) {
    auto contents = detail::read_idx<3>(path);
    return {contents.dims[0], contents.dims[1], contents.dims[2], std::move(contents.data)};
}

/// Reads an idx1 unsigned-byte file (e.g. `train-labels-idx1-ubyte`); validated like `read_idx_images`.
inline std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path) {
    return std::move(detail::read_idx<1>(path).data);
}

/// Writes `count` images of `rows` x `cols` bytes as an idx3 unsigned-byte file.
inline void write_idx_images(const std::filesystem::path& path, std::size_t count, std::size_t rows,
                             std::size_t cols, std::span<const std::uint8_t> pixels) {
    detail::write_idx<3>(path, {count, rows, cols}, pixels);
}

inline void write_idx_images(const std::filesystem::path& path, const IdxImages& images) {
    write_idx_images(path, images.count, images.rows, images.cols, images.pixels);
}

/// Writes labels as an idx1 unsigned-byte file.
inline void write_idx_labels(const std::filesystem::path& path, std::span<const std::uint8_t> labels) {
    detail::write_idx<1>(path, {labels.size()}, labels);
}

}  // namespace typenet
