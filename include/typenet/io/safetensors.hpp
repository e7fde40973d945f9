// import_safetensors: a PyTorch state_dict saved as safetensors, into a network of the same architecture.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <typenet/io/tensor_mapping.hpp>

namespace typenet {
namespace detail {

// Layout: u64 little-endian header size N, N bytes of JSON
//   {"<name>": {"dtype": "F32", "shape": [6, 1, 5, 5], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}}
// then the data; offsets are relative to the first byte after the header, and the tensors must
// tile the data exactly (no gap, no overlap), as the reference implementation requires.
inline constexpr std::uint64_t safetensors_max_header = 100u << 20;  // the reference implementation's limit

/// Bytes per element of every safetensors dtype; 0 for a name the format does not define.
inline std::size_t safetensors_element_size(const std::string& dtype) {
    if (dtype == "BOOL" || dtype == "U8" || dtype == "I8" || dtype == "F8_E5M2" || dtype == "F8_E4M3") return 1;
    if (dtype == "I16" || dtype == "U16" || dtype == "F16" || dtype == "BF16") return 2;
    if (dtype == "I32" || dtype == "U32" || dtype == "F32") return 4;
    if (dtype == "I64" || dtype == "U64" || dtype == "F64") return 8;
    return 0;
}

/// A tensor's entry in the header, with its byte range in the data.
struct SafetensorsEntry {
    FoundTensor tensor;
    std::uint64_t begin = 0, end = 0;
};

/// Compares names so that digit runs count as numbers: "features.3" before "features.10".
inline bool natural_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';
        if (!(da && db)) {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i, ++j;
            continue;
        }
        std::size_t ei = i, ej = j;
        while (ei < a.size() && a[ei] >= '0' && a[ei] <= '9') ++ei;
        while (ej < b.size() && b[ej] >= '0' && b[ej] <= '9') ++ej;
        const auto na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
        const auto ta = na.substr(std::min(na.find_first_not_of('0'), na.size()));
        const auto tb = nb.substr(std::min(nb.find_first_not_of('0'), nb.size()));
        if (ta.size() != tb.size()) return ta.size() < tb.size();
        if (ta != tb) return ta < tb;
        i = ei, j = ej;
    }
    return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

inline std::vector<std::size_t> safetensors_shape(const std::string& file, const std::string& name,
                                                  const nlohmann::json& shape) {
    if (!shape.is_array())
        throw import_error(fmt::format("{}: tensor '{}': \"shape\" is not an array", file, name));
    std::vector<std::size_t> dims;
    for (const auto& d : shape) {
        if (!d.is_number_unsigned())
            throw import_error(fmt::format("{}: tensor '{}': \"shape\" holds {}, not a size", file, name, d.dump()));
        dims.push_back(d.get<std::size_t>());
    }
    return dims;
}

/// Bytes the tensor needs, or 0 with `overflow` set when they do not fit in 64 bits.
inline std::uint64_t safetensors_bytes(const std::vector<std::size_t>& shape, std::size_t element, bool& overflow) {
    std::uint64_t bytes = element;
    overflow = false;
    for (std::size_t d : shape) {
        if (d != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / d) overflow = true;
        bytes *= d;
    }
    return overflow ? 0 : bytes;
}

/// Reads "data_offsets" and checks them against the data and the bytes the tensor needs.
inline void safetensors_offsets(const std::string& file, const nlohmann::json& offsets, std::uint64_t data_size,
                                std::size_t element, SafetensorsEntry& entry) {
    const auto& name = entry.tensor.name;
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
        throw import_error(fmt::format("{}: tensor '{}': \"data_offsets\" is not [begin, end]", file, name));
    entry.begin = offsets[0].get<std::uint64_t>();
    entry.end = offsets[1].get<std::uint64_t>();
    if (entry.begin > entry.end || entry.end > data_size)
        throw import_error(fmt::format("{}: tensor '{}': data_offsets [{}, {}] lie outside the {} bytes of data", file,
                                       name, entry.begin, entry.end, data_size));
    bool overflow = false;
    const auto bytes = safetensors_bytes(entry.tensor.shape, element, overflow);
    if (overflow || bytes != entry.end - entry.begin)
        throw import_error(fmt::format("{}: tensor '{}' of shape {} and dtype {} needs {} bytes, but its "
                                       "data_offsets [{}, {}] span {}",
                                       file, name, dims_text(entry.tensor.shape), entry.tensor.dtype_text,
                                       overflow ? std::string("more than 2^64") : std::to_string(bytes), entry.begin,
                                       entry.end, entry.end - entry.begin));
}

/// One tensor's header entry: exactly "dtype", "shape" and "data_offsets", all checked.
inline SafetensorsEntry safetensors_entry(const std::string& file, const std::string& name, const nlohmann::json& v,
                                          std::uint64_t data_size) {
    if (!v.is_object() || v.size() != 3 || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
        throw import_error(fmt::format("{}: tensor '{}' is not {{\"dtype\", \"shape\", \"data_offsets\"}}", file,
                                       name));
    SafetensorsEntry entry;
    auto& t = entry.tensor;
    t.name = name;
    if (!v["dtype"].is_string())
        throw import_error(fmt::format("{}: tensor '{}': \"dtype\" is not a string", file, name));
    t.dtype_text = v["dtype"].get<std::string>();
    t.dtype = t.dtype_text == "F32" ? ImportDtype::f32 : t.dtype_text == "F64" ? ImportDtype::f64 : ImportDtype::other;
    const std::size_t element = safetensors_element_size(t.dtype_text);
    if (element == 0)
        throw import_error(fmt::format("{}: tensor '{}' has unknown dtype '{}'", file, name, t.dtype_text));
    t.shape = safetensors_shape(file, name, v["shape"]);
    safetensors_offsets(file, v["data_offsets"], data_size, element, entry);
    return entry;
}

/// The tensors must tile the data: sorted by offset, each starts where the last ended.
inline void check_tiling(const std::string& file, std::vector<SafetensorsEntry> entries, std::uint64_t data_size) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t at = 0;
    for (const auto& e : entries) {
        if (e.begin != at)
            throw import_error(fmt::format("{}: tensor '{}' starts at byte {} of the data, expected {} ({})", file,
                                           e.tensor.name, e.begin, at,
                                           e.begin < at ? "it overlaps the tensor before" : "a gap"));
        at = e.end;
    }
    if (at != data_size)
        throw import_error(fmt::format("{}: the tensors end at byte {} of the data, but it has {} bytes", file, at,
                                       data_size));
}

inline nlohmann::json safetensors_header(const std::string& file, std::ifstream& in, std::uint64_t size,
                                         std::uint64_t& header_size) {
    unsigned char prefix[8];
    if (size < 8 || !in.read(reinterpret_cast<char*>(prefix), 8))
        throw import_error(fmt::format("{}: {} bytes is too short for a safetensors file", file, size));
    header_size = 0;
    for (int i = 7; i >= 0; --i) header_size = header_size << 8 | prefix[i];
    if (header_size > size - 8 || header_size > safetensors_max_header)
        throw import_error(fmt::format("{}: not a safetensors file: its header claims {} bytes, but the file has {} "
                                       "after the size field{}",
                                       file, header_size, size - 8,
                                       header_size > safetensors_max_header ? " (and the limit is 100 MiB)" : ""));
    std::string text(header_size, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(header_size)))
        throw import_error(fmt::format("{}: cannot read the safetensors header", file));
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw import_error(fmt::format("{}: the safetensors header is not valid JSON: {}", file, e.what()));
    }
    if (!header.is_object()) throw import_error(fmt::format("{}: the safetensors header is not a JSON object", file));
    return header;
}

/// Every tensor of the header, checked against the data size and each other, ordered by name
/// (digit runs as numbers): JSON objects have no order, and PyTorch's writer sorts by name.
inline std::vector<SafetensorsEntry> safetensors_entries(const std::string& file, const nlohmann::json& header,
                                                         std::uint64_t data_size) {
    std::vector<SafetensorsEntry> entries;
    for (const auto& [name, value] : header.items()) {
        if (name == "__metadata__") {
            if (!value.is_object())
                throw import_error(fmt::format("{}: \"__metadata__\" is not a JSON object", file));
            for (const auto& [key, text] : value.items())
                if (!text.is_string())
                    throw import_error(fmt::format("{}: \"__metadata__\" entry '{}' is not a string", file, key));
            continue;
        }
        entries.push_back(safetensors_entry(file, name, value, data_size));
    }
    check_tiling(file, entries, data_size);
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return natural_less(a.tensor.name, b.tensor.name); });
    for (std::size_t i = 0; i < entries.size(); ++i) entries[i].tensor.order = i;
    return entries;
}

}  // namespace detail

/// Loads a PyTorch state_dict saved as safetensors into `net` (see import_weights in
/// io/pytorch.hpp for the mapping). Every tensor's name, dtype and shape is checked before any
/// value is read; on any error (`import_error`) `net` is untouched.
template <class T>
void import_safetensors(const ImportTarget<T>& target, const std::filesystem::path& path, const LayerNames& names = {}) {
    const std::string file = path.string();
    detail::check_file(path);
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw import_error(fmt::format("{}: cannot open the file", file));
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    std::uint64_t header_size = 0;
    const auto header = detail::safetensors_header(file, in, size, header_size);
    const std::uint64_t data_start = 8 + header_size;
    const auto entries = detail::safetensors_entries(file, header, size - data_start);
    std::vector<detail::FoundTensor> found;
    for (const auto& e : entries) found.push_back(e.tensor);
    detail::import_tensors(target, path, found, names, [&](std::size_t i, std::vector<unsigned char>& bytes) {
        in.seekg(static_cast<std::streamoff>(data_start + entries[i].begin));
        if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
            throw import_error(fmt::format("{}: cannot read tensor '{}'", file, entries[i].tensor.name));
    });
}

template <class Net>
    requires requires { Net::parameter_tensors; }
void import_safetensors(Net& net, const std::filesystem::path& path, const LayerNames& names = {}) {
    import_safetensors(import_target(net), path, names);
}

}  // namespace typenet
