// Matching the named tensors of a PyTorch state_dict to a network's parameters, checked in full before any is copied.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <typenet/layers/conv2d.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/network.hpp>

namespace typenet {

/// A PyTorch weights file that cannot be read or does not fit the network. The message names
/// the file and, where there is one, the tensor with its expected and found shapes.
struct import_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// One state_dict prefix per layer that has parameters, in layer order, e.g.
/// `{"features.0", "features.3", "classifier.1"}`: that layer's tensors are then looked up as
/// "<prefix>.weight" and "<prefix>.bias". Empty: tensors are matched to layers by order.
using LayerNames = std::vector<std::string>;

namespace detail {

/// The element types the importers read; anything else is reported with the file's own name for it.
enum class ImportDtype { f32, f64, other };

/// One tensor the network expects: where it goes and what it must look like.
struct ExpectedTensor {
    std::string layer;  // its path: "3", or "3.0.2" for layer 2 inside the block at 3.0
    std::string_view kind;
    std::string_view role;  // the tensor's name, PyTorch's attribute name: "weight", "running_mean"
    std::vector<std::size_t> shape;
    std::size_t offset = 0;  // into parameters()
};

/// One tensor found in a file, before its values are read.
struct FoundTensor {
    std::string name;
    std::string dtype_text;  // as the file spells it ("F32", "<f4"), for messages
    ImportDtype dtype = ImportDtype::other;
    std::vector<std::size_t> shape;
    std::size_t order = 0;  // the file's order, for matching by order
};

inline std::string dims_text(const std::vector<std::size_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) text += fmt::format("{}{}", i ? ", " : "", shape[i]);
    return text + "]";
}

inline std::size_t element_count(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (std::size_t d : shape) n *= d;
    return n;
}

/// "3", "3.0.2": a layer's path as messages show it.
inline std::string path_text(const LayerPath& path) {
    std::string text;
    for (std::size_t d = 0; d < path.depth; ++d) text += fmt::format("{}{}", d ? "." : "", path.index[d]);
    return text;
}

/// Every parameter tensor of `Net`, inside blocks too, in storage order; together they cover
/// `parameters()` exactly. The layers' tensors are PyTorch's, by name, order and layout: Conv2D's
/// and DepthwiseConv2D's weights are OIHW, Dense's [out, in], BatchNorm's weight, bias,
/// running_mean and running_var are its module's.
template <class Net>
std::vector<ExpectedTensor> expected_tensors() {
    std::vector<ExpectedTensor> out;
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        out.push_back({path_text(tensor.path), tensor.kind, tensor.name,
                       std::vector<std::size_t>(tensor.shape.dims.begin(), tensor.shape.dims.begin() + tensor.shape.rank),
                       tensor.offset});
    return out;
}

/// PyTorch's count of the batches a BatchNorm has seen: bookkeeping typenet does not keep.
inline bool ignored_tensor(const std::string& name) { return name.ends_with(".num_batches_tracked"); }

/// Splits "features.0.weight" into the layer prefix "features.0" and the role "weight".
inline std::pair<std::string, std::string> split_name(const std::string& name) {
    const auto dot = name.rfind('.');
    if (dot == std::string::npos) return {"", name};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

inline std::string full_name(const std::string& prefix, std::string_view role) {
    return prefix.empty() ? std::string(role) : fmt::format("{}.{}", prefix, role);
}

/// Layers with parameters, each once, in order: "0 (Conv2D), 2 (Conv2D), 5 (Dense)".
inline std::string layers_text(const std::vector<ExpectedTensor>& expected) {
    std::string text;
    for (std::size_t i = 0; i < expected.size(); ++i)
        if (i == 0 || expected[i].layer != expected[i - 1].layer)
            text += fmt::format("{}{} ({})", text.empty() ? "" : ", ", expected[i].layer, expected[i].kind);
    return text;
}

/// The prefixes of the file's tensors, ordered by their first tensor's `order`.
inline std::vector<std::string> prefixes_in_order(const std::vector<FoundTensor>& found) {
    std::map<std::string, std::size_t> first;
    for (const auto& t : found) {
        const auto prefix = split_name(t.name).first;
        const auto [at, inserted] = first.emplace(prefix, t.order);
        if (!inserted) at->second = std::min(at->second, t.order);
    }
    std::vector<std::pair<std::size_t, std::string>> ranked;
    for (const auto& [prefix, order] : first) ranked.emplace_back(order, prefix);
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> out;
    for (auto& [order, prefix] : ranked) out.push_back(std::move(prefix));
    return out;
}

/// The prefix of each parameterised layer: `names` if given, else the file's prefixes in order.
inline std::vector<std::string> layer_prefixes(const std::string& file, const std::vector<ExpectedTensor>& expected,
                                               const std::vector<FoundTensor>& found, const LayerNames& names) {
    std::size_t layers = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) layers += i == 0 || expected[i].layer != expected[i - 1].layer;
    if (!names.empty()) {
        if (names.size() != layers)
            throw import_error(fmt::format("{}: {} layer names given, but the network has {} layers with "
                                           "parameters: {}",
                                           file, names.size(), layers, layers_text(expected)));
        for (std::size_t i = 0; i < names.size(); ++i)
            if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
                names.begin() + static_cast<std::ptrdiff_t>(i))
                throw import_error(fmt::format("{}: layer name '{}' is given twice", file, names[i]));
        return names;
    }
    auto prefixes = prefixes_in_order(found);
    if (prefixes.size() < layers) {
        std::size_t rank = 0, e = 0;
        for (; rank < prefixes.size(); ++e) rank += e + 1 < expected.size() && expected[e + 1].layer != expected[e].layer;
        const auto& want = expected[e];
        throw import_error(fmt::format("{}: no tensors for layer {} ({}), expected its {} as {}: the file has tensors "
                                       "for {} layers, the network has {} layers with parameters: {}",
                                       file, want.layer, want.kind, want.role, dims_text(want.shape),
                                       prefixes.size(), layers, layers_text(expected)));
    }
    prefixes.resize(layers);  // the rest are reported as tensors that belong to no layer
    return prefixes;
}

/// Throws unless `got`, found under `name`, is what `want` needs.
inline void check_tensor(const std::string& file, const ExpectedTensor& want, const std::string& name,
                         const FoundTensor& got, const char* hint) {
    if (got.shape != want.shape)
        throw import_error(fmt::format("{}: tensor '{}' has shape {}, but layer {} ({}) expects its {} as {}{}", file,
                                       name, dims_text(got.shape), want.layer, want.kind, want.role,
                                       dims_text(want.shape), hint));
    if (got.dtype == ImportDtype::other)
        throw import_error(fmt::format("{}: tensor '{}' holds {} values; typenet imports 32- or 64-bit floats "
                                       "(convert with model.float() before saving)",
                                       file, name, got.dtype_text));
}

/// For each expected tensor, the index of its tensor in `found`; throws on any mismatch,
/// including a tensor of the file that no layer takes.
inline std::vector<std::size_t> match_tensors(const std::string& file, const std::vector<ExpectedTensor>& expected,
                                              const std::vector<FoundTensor>& found, const LayerNames& names) {
    const auto prefixes = layer_prefixes(file, expected, found, names);
    const char* hint = names.empty() ? " (tensors are matched to layers by order: .npz member order, safetensors "
                                       "name order; pass the layer names to match by name)"
                                     : "";
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < found.size(); ++i) by_name.emplace(found[i].name, i);
    std::vector<bool> used(found.size(), false);
    std::vector<std::size_t> plan;
    for (std::size_t e = 0, rank = 0; e < expected.size(); ++e) {
        rank += e > 0 && expected[e].layer != expected[e - 1].layer;
        const auto& want = expected[e];
        const auto name = full_name(prefixes[rank], want.role);
        const auto at = by_name.find(name);
        if (at == by_name.end())
            throw import_error(fmt::format("{}: no tensor '{}' for layer {} ({}) {}, expected shape {}{}", file, name,
                                           want.layer, want.kind, want.role, dims_text(want.shape), hint));
        check_tensor(file, want, name, found[at->second], hint);
        used[at->second] = true;
        plan.push_back(at->second);
    }
    for (std::size_t i = 0; i < found.size(); ++i)
        if (!used[i] && !ignored_tensor(found[i].name))
            throw import_error(fmt::format("{}: tensor '{}' {} belongs to no layer of the network (layers with "
                                           "parameters: {}){}",
                                           file, found[i].name, dims_text(found[i].shape), layers_text(expected),
                                           hint));
    return plan;
}

/// Throws unless `path` names a file that can be opened (a directory opens, but reads as nonsense).
inline void check_file(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        throw import_error(fmt::format("{}: is a directory, not a weights file", path.string()));
    if (!std::filesystem::exists(path, error))
        throw import_error(fmt::format("{}: cannot open the file", path.string()));
}

/// Bytes per value of a supported dtype.
inline std::size_t dtype_size(ImportDtype dtype) { return dtype == ImportDtype::f64 ? 8 : 4; }

/// Little-endian floats to `T`, each checked finite (also after narrowing a double).
template <class T>
void convert_values(const std::string& file, const FoundTensor& tensor, const std::vector<unsigned char>& bytes,
                    T* out) {
    static_assert(std::endian::native == std::endian::little, "typenet: importing assumes a little-endian host");
    const std::size_t n = element_count(tensor.shape);
    for (std::size_t i = 0; i < n; ++i) {
        T value;
        if (tensor.dtype == ImportDtype::f32) {
            float v;
            std::memcpy(&v, bytes.data() + i * 4, 4);
            value = static_cast<T>(v);
        } else {
            double v;
            std::memcpy(&v, bytes.data() + i * 8, 8);
            value = static_cast<T>(v);
        }
        if (!std::isfinite(value))
            throw import_error(fmt::format("{}: tensor '{}' value {} is {}, not a finite number", file, tensor.name,
                                           i, value));
        out[i] = value;
    }
}

}  // namespace detail

/// A network's parameters and the tensors they hold, without the network's type: what the
/// importers fill in. Through it the file formats (zip, JSON) can be compiled in a translation
/// unit of their own, away from the network's (examples/support/pytorch_import.cpp does).
template <class T>
struct ImportTarget {
    std::span<T> parameters;
    std::vector<detail::ExpectedTensor> tensors;  // covering `parameters` exactly
};

/// `net`'s parameters as an ImportTarget; `net` must outlive it.
template <class Net>
    requires requires { Net::parameter_tensors; }
ImportTarget<typename Net::scalar_type> import_target(Net& net) {
    return {std::span<typename Net::scalar_type>(net.parameters()), detail::expected_tensors<Net>()};
}

namespace detail {

/// Checks `found` against the target's tensors, reads every matched tensor through
/// `read(index in found, bytes)` into a staging copy, and only then overwrites the parameters:
/// on any error they are untouched.
template <class T, class Read>
void import_tensors(const ImportTarget<T>& target, const std::filesystem::path& path,
                    const std::vector<FoundTensor>& found, const LayerNames& names, Read read) {
    const std::string file = path.string();
    const auto plan = match_tensors(file, target.tensors, found, names);
    std::vector<T> staged(target.parameters.size());
    std::vector<unsigned char> bytes;
    for (std::size_t e = 0; e < target.tensors.size(); ++e) {
        const auto& tensor = found[plan[e]];
        bytes.assign(element_count(tensor.shape) * dtype_size(tensor.dtype), 0);
        read(plan[e], bytes);
        convert_values(file, tensor, bytes, staged.data() + target.tensors[e].offset);
    }
    std::copy(staged.begin(), staged.end(), target.parameters.begin());
}

}  // namespace detail
}  // namespace typenet
