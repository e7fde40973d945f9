// import_npz: a PyTorch state_dict saved with numpy.savez, into a network of the same architecture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <xtensor/xnpy.hpp>
#include <zip.h>

#include <typenet/io/tensor_mapping.hpp>

namespace typenet {
namespace detail {

// A .npz file is a zip archive of .npy members, one per array, in the order they were saved.
// A .npy member is "\x93NUMPY", a version byte pair, the header length (u16 little-endian for
// version 1, u32 for 2 and 3), a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (6, 1, 5, 5), }
// padded with spaces and ended by '\n', then the values.
//
// libzip reads the archive. xtensor's npy reader parses the dict literal, but its public
// load_npy(istream) allocates whatever size the header claims before anything is checked, does
// not notice a short read, and misreads version-1 header lengths whose low byte is 0x80 or more
// (it shifts signed chars); so the fixed binary prefix is read here, each size is bounded by the
// member's own size, and only the header text goes to xtensor's parser (xt::detail::parse_header).
inline constexpr std::uint32_t npy_max_header = 1u << 20;

using zip_handle = std::unique_ptr<zip_t, decltype(&zip_discard)>;
using zip_member = std::unique_ptr<zip_file_t, decltype(&zip_fclose)>;

/// An array member's tensor, where its values start, and how many bytes the member has.
struct NpyMember {
    FoundTensor tensor;
    zip_uint64_t index = 0;
    std::uint64_t data_start = 0, size = 0;
};

inline zip_handle open_zip(const std::string& file) {
    int code = 0;
    zip_t* archive = zip_open(file.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (archive == nullptr) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        const std::string reason = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw import_error(fmt::format("{}: not a readable .npz (zip) file: {}", file, reason));
    }
    return zip_handle(archive, &zip_discard);
}

inline zip_member open_member(const std::string& file, zip_t* archive, zip_uint64_t index, const std::string& name) {
    zip_file_t* member = zip_fopen_index(archive, index, 0);
    if (member == nullptr)
        throw import_error(fmt::format("{}: cannot open member '{}': {}", file, name, zip_strerror(archive)));
    return zip_member(member, &zip_fclose);
}

/// Reads exactly `size` bytes, or throws naming the member.
inline void read_member(const std::string& file, zip_file_t* member, const std::string& name, void* out,
                        std::uint64_t size) {
    auto* at = static_cast<unsigned char*>(out);
    while (size > 0) {
        const zip_int64_t got = zip_fread(member, at, size);
        if (got <= 0)
            throw import_error(fmt::format("{}: member '{}' is truncated or corrupted{}{}", file, name,
                                           got < 0 ? ": " : "", got < 0 ? zip_file_strerror(member) : ""));
        at += got;
        size -= static_cast<std::uint64_t>(got);
    }
}

/// Whether xtensor's parser can take `header` without undefined behaviour: it calls back() on
/// strings that are empty when the header is blank or nothing follows the 'shape' key's ':'.
/// Anything else malformed it reports itself.
inline bool npy_header_parsable(const std::string& header) {
    if (header.empty() || header.back() != '\n') return false;
    std::string text = header.substr(0, header.size() - 1);
    std::erase(text, ' ');
    if (text.size() < 2 || text.front() != '{' || text.back() != '}') return false;
    text = text.substr(1, text.size() - 2);
    const auto key = text.find("'shape'");
    if (key == std::string::npos) return true;
    std::string entry = text.substr(key);
    if (entry.back() == ',') entry.pop_back();
    const auto colon = entry.find(':');
    return colon != std::string::npos && colon + 1 < entry.size();
}

inline void npy_dtype(FoundTensor& t, const std::string& descr) {
    t.dtype_text = descr;
    t.dtype = descr == "<f4" ? ImportDtype::f32 : descr == "<f8" ? ImportDtype::f64 : ImportDtype::other;
}

/// Reads the fixed prefix and the header text of an npy member of `size` bytes; sets where
/// the values start. Every length is checked against the member before it is used.
inline std::string read_npy_header(const std::string& file, zip_file_t* in, const std::string& name,
                                   std::uint64_t size, std::uint64_t& data_start) {
    unsigned char prefix[12];
    if (size < 10) throw import_error(fmt::format("{}: member '{}' is too short for an array", file, name));
    read_member(file, in, name, prefix, 8);
    if (std::string_view(reinterpret_cast<const char*>(prefix), 6) != "\x93NUMPY" || prefix[6] < 1 || prefix[6] > 3)
        throw import_error(fmt::format("{}: member '{}' is not a version 1-3 .npy array", file, name));
    const unsigned length_bytes = prefix[6] == 1 ? 2 : 4;
    read_member(file, in, name, prefix + 8, length_bytes);
    std::uint32_t length = 0;
    for (unsigned i = length_bytes; i-- > 0;) length = length << 8 | prefix[8 + i];
    data_start = 8 + length_bytes + std::uint64_t{length};
    if (length > npy_max_header || data_start > size)
        throw import_error(fmt::format("{}: member '{}': its header claims {} bytes, more than the member holds",
                                       file, name, length));
    std::string header(length, '\0');
    read_member(file, in, name, header.data(), length);
    return header;
}

/// The dtype and shape that an npy header describes, through xtensor's parser.
inline void parse_npy_header(const std::string& file, const std::string& name, const std::string& header,
                             FoundTensor& tensor) {
    if (!npy_header_parsable(header))
        throw import_error(fmt::format("{}: member '{}' has a malformed .npy header", file, name));
    std::string descr;
    bool fortran_order = false;
    try {
        xt::detail::parse_header(header, descr, &fortran_order, tensor.shape);
    } catch (const std::runtime_error& e) {
        throw import_error(fmt::format("{}: member '{}' has a malformed .npy header: {}", file, name, e.what()));
    }
    npy_dtype(tensor, descr);
    if (fortran_order)
        throw import_error(fmt::format("{}: member '{}' is stored in Fortran order; save np.ascontiguousarray(...) "
                                       "instead",
                                       file, name));
}

/// A member's tensor as its npy header describes it, and where its values start.
inline NpyMember npy_member(const std::string& file, zip_t* archive, zip_uint64_t index, const zip_stat_t& stat) {
    const std::string name = stat.name;
    NpyMember m;
    m.index = index;
    m.size = stat.size;
    m.tensor.name = name.substr(0, name.size() - 4);  // without ".npy"
    m.tensor.order = index;
    const auto in = open_member(file, archive, index, name);
    parse_npy_header(file, name, read_npy_header(file, in.get(), name, m.size, m.data_start), m.tensor);
    return m;
}

/// Checks that a member's size is its header plus exactly the values its dtype and shape need.
inline void check_npy_size(const std::string& file, const NpyMember& m) {
    if (m.tensor.dtype == ImportDtype::other) return;  // reported with the tensor's name when matched
    std::uint64_t bytes = dtype_size(m.tensor.dtype);
    for (std::size_t d : m.tensor.shape) {
        if (d != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / d) bytes = std::numeric_limits<std::uint64_t>::max();
        else bytes *= d;
    }
    if (bytes != m.size - m.data_start)
        throw import_error(fmt::format("{}: array '{}' of shape {} and dtype {} needs {} bytes, but the member holds "
                                       "{} after its header",
                                       file, m.tensor.name, dims_text(m.tensor.shape), m.tensor.dtype_text, bytes,
                                       m.size - m.data_start));
}

inline std::vector<NpyMember> npz_members(const std::string& file, zip_t* archive) {
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    std::vector<NpyMember> members;
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t stat;
        const auto index = static_cast<zip_uint64_t>(i);
        if (zip_stat_index(archive, index, 0, &stat) != 0 || (stat.valid & ZIP_STAT_NAME) == 0 ||
            (stat.valid & ZIP_STAT_SIZE) == 0)
            throw import_error(fmt::format("{}: cannot read zip entry {}: {}", file, i, zip_strerror(archive)));
        const std::string name = stat.name;
        if (name.size() <= 4 || name.substr(name.size() - 4) != ".npy")
            throw import_error(fmt::format("{}: member '{}' is not a .npy array", file, name));
        members.push_back(npy_member(file, archive, index, stat));
        check_npy_size(file, members.back());
    }
    return members;
}

/// Reads a member's values; reading on to the end lets libzip check the member's CRC.
inline void read_npy_values(const std::string& file, zip_t* archive, const NpyMember& m,
                            std::vector<unsigned char>& bytes) {
    const std::string name = m.tensor.name + ".npy";
    const auto in = open_member(file, archive, m.index, name);
    std::vector<unsigned char> header(m.data_start);
    read_member(file, in.get(), name, header.data(), header.size());
    read_member(file, in.get(), name, bytes.data(), bytes.size());
    unsigned char extra;
    const zip_int64_t tail = zip_fread(in.get(), &extra, 1);
    if (tail != 0)
        throw import_error(fmt::format("{}: member '{}' is corrupted{}{}", file, name, tail < 0 ? ": " : "",
                                       tail < 0 ? zip_file_strerror(in.get()) : " (longer than its header says)"));
}

}  // namespace detail

/// Loads a PyTorch state_dict saved with `numpy.savez` (or `savez_compressed`) into `net`
/// (see import_weights in io/pytorch.hpp for the mapping). Every array's name, dtype and shape
/// is checked before any value is read; on any error (`import_error`) `net` is untouched.
template <class T>
void import_npz(const ImportTarget<T>& target, const std::filesystem::path& path, const LayerNames& names = {}) {
    const std::string file = path.string();
    detail::check_file(path);
    const auto archive = detail::open_zip(file);
    const auto members = detail::npz_members(file, archive.get());
    std::vector<detail::FoundTensor> found;
    for (const auto& m : members) found.push_back(m.tensor);
    detail::import_tensors(target, path, found, names, [&](std::size_t i, std::vector<unsigned char>& bytes) {
        detail::read_npy_values(file, archive.get(), members[i], bytes);
    });
}

template <class Net>
    requires requires { Net::parameter_tensors; }
void import_npz(Net& net, const std::filesystem::path& path, const LayerNames& names = {}) {
    import_npz(import_target(net), path, names);
}

}  // namespace typenet
