// save_weights / load_weights: a network's parameters in a small, checked binary file.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <typenet/io/atomic_file.hpp>
#include <typenet/network.hpp>
#include <typenet/signature.hpp>

namespace typenet {

/// A weights file that cannot be written, read, or does not belong to the network.
struct weights_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

// Layout, all integers little-endian:
//   "TYPENETW"  u32 version  u32 bytes per value  u64 value count  u64 layout hash
//   values...   u64 FNV-1a of the value bytes
// Version 2 hashes every dimension and layer setting (weights_layout); version 1 hashed only
// kinds and sizes, so its files cannot be checked against a network and are refused.
inline constexpr std::array<char, 8> weights_magic{'T', 'Y', 'P', 'E', 'N', 'E', 'T', 'W'};
inline constexpr std::uint32_t weights_version = 2;
inline constexpr std::size_t weights_header_size = 8 + 4 + 4 + 8 + 8;

constexpr std::uint64_t fnv1a(const unsigned char* bytes, std::size_t count,
                              std::uint64_t hash = 0xcbf29ce484222325ULL) {
    for (std::size_t i = 0; i < count; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    return hash;
}

/// network_signature<Net> ("4-byte float (24 digits); input 1x28x28; Conv2D filters=8 ... ->
/// 8x13x13; ..."): what must match for weights to fit a network.
template <class Net>
std::string weights_layout() {
    return std::string(network_signature<Net>.view());
}

template <class Net>
std::uint64_t layout_hash() {
    const std::string layout = weights_layout<Net>();
    return fnv1a(reinterpret_cast<const unsigned char*>(layout.data()), layout.size());
}

template <class U>
void put(std::vector<unsigned char>& out, U value) {
    static_assert(std::endian::native == std::endian::little, "typenet: weights files assume a little-endian host");
    unsigned char bytes[sizeof(U)];
    std::memcpy(bytes, &value, sizeof(U));
    out.insert(out.end(), bytes, bytes + sizeof(U));
}

template <class U>
U get(const unsigned char* at) {
    U value;
    std::memcpy(&value, at, sizeof(U));
    return value;
}

}  // namespace detail

/// Writes `net`'s parameters to `path`. The file is replaced atomically (see
/// write_file_atomically): after an error `path` still holds what it held before.
template <class Net>
void save_weights(const Net& net, const std::filesystem::path& path) {
    using T = typename Net::scalar_type;
    std::vector<unsigned char> bytes;
    bytes.insert(bytes.end(), detail::weights_magic.begin(), detail::weights_magic.end());
    detail::put<std::uint32_t>(bytes, detail::weights_version);
    detail::put<std::uint32_t>(bytes, sizeof(T));
    detail::put<std::uint64_t>(bytes, Net::parameter_count);
    detail::put<std::uint64_t>(bytes, detail::layout_hash<Net>());
    const auto* values = reinterpret_cast<const unsigned char*>(net.parameters().data());
    bytes.insert(bytes.end(), values, values + Net::parameter_count * sizeof(T));
    detail::put<std::uint64_t>(bytes, detail::fnv1a(values, Net::parameter_count * sizeof(T)));

    try {
        write_file_atomically(path, std::as_bytes(std::span(bytes)));
    } catch (const file_error& error) {
        throw weights_error(fmt::format("{}: cannot write the weights file: {}", path.string(), error.reason));
    }
}

/// Reads parameters saved by `save_weights` into `net`. Everything is checked first (format,
/// network layout, checksum, finite values); on any error `net` is left exactly as it was.
template <class Net>
void load_weights(Net& net, const std::filesystem::path& path) {
    using T = typename Net::scalar_type;
    const std::string name = path.string();
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) throw weights_error(fmt::format("{}: cannot open the weights file", name));
    const auto size = static_cast<std::size_t>(file.tellg());
    constexpr std::size_t payload = Net::parameter_count * sizeof(T);
    constexpr std::size_t expected = detail::weights_header_size + payload + 8;
    if (size < detail::weights_header_size)
        throw weights_error(fmt::format("{}: {} bytes is too short for a typenet weights file", name, size));
    std::vector<unsigned char> bytes(std::min(size, expected + 1));
    file.seekg(0);
    file.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!file) throw weights_error(fmt::format("{}: cannot read the weights file", name));

    if (std::memcmp(bytes.data(), detail::weights_magic.data(), detail::weights_magic.size()) != 0)
        throw weights_error(fmt::format("{}: not a typenet weights file (wrong magic)", name));
    const auto version = detail::get<std::uint32_t>(bytes.data() + 8);
    if (version == 1)
        throw weights_error(fmt::format("{}: written by an older typenet (weights format 1), which did not record "
                                        "every layer setting, so it cannot be checked against this network; save the "
                                        "weights again with this version of typenet",
                                        name));
    if (version != detail::weights_version)
        throw weights_error(fmt::format("{}: weights file version {} is not supported (this typenet reads version {})",
                                        name, version, detail::weights_version));
    const auto value_size = detail::get<std::uint32_t>(bytes.data() + 12);
    if (value_size != sizeof(T))
        throw weights_error(fmt::format("{}: holds {}-byte values, but the network uses {}-byte values", name,
                                        value_size, sizeof(T)));
    const auto count = detail::get<std::uint64_t>(bytes.data() + 16);
    if (count != Net::parameter_count)
        throw weights_error(fmt::format("{}: holds {} parameters, but the network has {}: it was saved from a "
                                        "different network",
                                        name, count, Net::parameter_count));
    if (detail::get<std::uint64_t>(bytes.data() + 24) != detail::layout_hash<Net>())
        throw weights_error(fmt::format("{}: the parameter count matches but the input or a layer setting differs: it "
                                        "was saved from a different network (this one is: {})",
                                        name, detail::weights_layout<Net>()));
    if (size != expected)
        throw weights_error(fmt::format("{}: is {} bytes, expected {} ({})", name, size, expected,
                                        size < expected ? "truncated" : "trailing bytes"));
    const unsigned char* values = bytes.data() + detail::weights_header_size;
    if (detail::get<std::uint64_t>(values + payload) != detail::fnv1a(values, payload))
        throw weights_error(fmt::format("{}: checksum mismatch: the file is corrupted", name));

    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
        const T value = detail::get<T>(values + i * sizeof(T));
        if (!std::isfinite(value))
            throw weights_error(fmt::format("{}: parameter {} is {}, not a finite number", name, i, value));
    }
    std::memcpy(net.parameters().data(), values, payload);
}

}  // namespace typenet
