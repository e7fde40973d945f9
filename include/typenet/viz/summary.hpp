// summary<Net>(): a Keras-style table of a network's layers, from data computed at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <typenet/network.hpp>

namespace typenet {
namespace detail {

inline std::string format_shape(const auto& shape) {
    std::string text;
    for (std::size_t d = 0; d < shape.dims.size(); ++d) text += fmt::format("{}{}", d ? "x" : "", shape.dims[d]);
    return text;
}
inline std::string format_shape(const ShapeValue& shape) {
    std::string text;
    for (std::size_t d = 0; d < shape.rank; ++d) text += fmt::format("{}{}", d ? "x" : "", shape.dims[d]);
    return text;
}

/// Thousands separators make parameter counts readable at a glance.
inline std::string grouped(std::size_t value) {
    std::string digits = fmt::format("{}", value), text;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
        text += digits[i];
    }
    return text;
}

/// The value of the setting called `name`, or `fallback` if the layer has none by that name.
template <class Layer>
constexpr std::intmax_t setting_of(std::string_view name, std::intmax_t fallback = 0) {
    for (const auto& [key, value] : Layer::settings)
        if (key == name) return value;
    return fallback;
}

/// " 3x3 /2 pad 1": a window's kernel, stride (if not 1) and padding (if any).
template <class Layer>
std::string describe_window() {
    std::string text = fmt::format(" {}x{}", Layer::kernel_h, Layer::kernel_w);
    if (Layer::stride_h != 1 || Layer::stride_w != 1)
        text += Layer::stride_h == Layer::stride_w ? fmt::format(" /{}", Layer::stride_h)
                                                   : fmt::format(" /{}x{}", Layer::stride_h, Layer::stride_w);
    if (Layer::pad_h != 0 || Layer::pad_w != 0)
        text += Layer::pad_h == Layer::pad_w ? fmt::format(" pad {}", Layer::pad_h)
                                             : fmt::format(" pad {}x{}", Layer::pad_h, Layer::pad_w);
    return text;
}

/// A ratio setting pair, e.g. alpha_num and alpha_den, as " 0.25".
template <class Layer>
std::string describe_ratio(std::string_view num, std::string_view den) {
    return fmt::format(" {:g}", double(setting_of<Layer>(num)) / double(setting_of<Layer>(den, 1)));
}

/// "Conv2D 8 3x3 /2 pad 1", "DepthwiseConv2D 3x3 pad 1", "MaxPool 2x2 /2", "Dense 72",
/// "LeakyReLU 0.001", "Dropout 0.25", "BatchNorm": the layer's settings; BatchNorm's only when
/// not PyTorch's defaults; for other layers (a user's) each setting as "name=value".
template <class Layer>
std::string describe_layer() {
    std::string text(Layer::kind);
    if constexpr (requires { Layer::filters; }) {
        text += fmt::format(" {}", Layer::filters) + describe_window<Layer>();
    } else if constexpr (requires { Layer::kernel_h; }) {
        text += describe_window<Layer>();
    } else if constexpr (requires { Layer::step; }) {
        text += fmt::format(" {}x{}", Layer::size, Layer::size);
        if (Layer::step != Layer::size) text += fmt::format(" /{}", Layer::step);
    } else if constexpr (requires { Layer::units; }) {
        text += fmt::format(" {}", Layer::units);
    } else if constexpr (setting_of<Layer>("alpha_den") != 0) {
        text += describe_ratio<Layer>("alpha_num", "alpha_den");
    } else if constexpr (setting_of<Layer>("rate_den") != 0) {
        text += describe_ratio<Layer>("rate_num", "rate_den");
    } else if constexpr (setting_of<Layer>("momentum_den") != 0) {
        if (setting_of<Layer>("momentum_num") * 10 != setting_of<Layer>("momentum_den"))
            text += " momentum" + describe_ratio<Layer>("momentum_num", "momentum_den");
        if (setting_of<Layer>("epsilon_num") * 100000 != setting_of<Layer>("epsilon_den"))
            text += " eps" + describe_ratio<Layer>("epsilon_num", "epsilon_den");
    } else {
        for (const auto& [name, value] : Layer::settings) text += fmt::format(" {}={}", name, value);
    }
    return text;
}

/// Whether `path` is `outer` or lies inside it.
constexpr bool within(const LayerPath& path, const LayerPath& outer) {
    if (path.depth < outer.depth) return false;
    for (std::size_t d = 0; d < outer.depth; ++d)
        if (path.index[d] != outer.index[d]) return false;
    return true;
}

/// Values in the parameter tensors at or inside `path`.
template <class Net>
std::size_t parameters_within(const LayerPath& path) {
    std::size_t count = 0;
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        if (within(tensor.path, path)) count += tensor.size;
    return count;
}

/// "weight 8x1x3x3, bias 8": the tensors of the layer at `path` itself; state tensors marked so.
template <class Net>
std::string describe_tensors(const LayerPath& path) {
    std::string text;
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        if (tensor.path == path) {
            text += fmt::format("{}{} {}", text.empty() ? "" : ", ", tensor.name, format_shape(tensor.shape));
            if (tensor.role == Role::state) text += " (state)";
        }
    return text;
}

/// One line of the table; a layer without parameters has an empty tensors column.
inline std::string table_row(std::string_view index, std::string_view layer, std::string_view output,
                             std::string_view parameters, std::string_view bytes, std::string_view tensors) {
    std::string row = fmt::format("{:<7} {:<30} {:>10} {:>12} {:>12}  {}", index, layer, output, parameters, bytes,
                                  tensors);
    row.erase(row.find_last_not_of(' ') + 1);
    return row + '\n';
}

template <class List>
struct child_rows;

/// The row of the layer at `path`, given `input`, then, indented, those of the layers inside it.
template <class Net, class Layer>
void add_rows(std::string& out, const LayerPath& path, ShapeValue input) {
    using T = typename Net::scalar_type;
    const ShapeValue output = Layer::propagate(input).output;
    std::string index;
    for (std::size_t d = 0; d < path.depth; ++d) index += fmt::format("{}{}", d ? "." : "", path.index[d]);
    out += table_row(index, std::string(2 * (path.depth - 1), ' ') + describe_layer<Layer>(), format_shape(output),
                     grouped(parameters_within<Net>(path)), grouped(output.size() * sizeof(T)),
                     describe_tensors<Net>(path));
    if constexpr (requires { typename Layer::children; })
        child_rows<typename Layer::children>::template add<Net>(out, path, Layer::child_inputs(input));
}

template <template <class...> class List, class... Children>
struct child_rows<List<Children...>> {
    template <class Net, class Inputs>
    static void add(std::string& out, const LayerPath& path, const Inputs& inputs) {
        std::size_t k = 0;
        ((add_rows<Net, Children>(out, path.child(k), inputs[k]), ++k), ...);
    }
};

/// The input shape of the network's layer I.
template <class Net, std::size_t I>
constexpr ShapeValue input_of() {
    if constexpr (I == 0)
        return shape_value<typename Net::input_shape_type>();
    else
        return shape_value<typename Net::template shape_type<I - 1>>();
}

template <class Net>
struct summary_table {
    static std::string text() {
        using T = typename Net::scalar_type;
        std::string out = table_row("#", "layer", "output", "parameters", "bytes", "tensors");
        out += table_row("", "Input", format_shape(Net::input_shape), "0",
                         grouped(Net::input_shape_type::size * sizeof(T)), "");
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (add_rows<Net, typename Net::template layer_type<I>>(out, LayerPath{}.child(I), input_of<Net, I>()), ...);
        }(std::make_index_sequence<Net::layer_count>{});
        out += fmt::format("parameters: {} ({} bytes of {})\n", grouped(Net::parameter_count),
                           grouped(Net::parameter_count * sizeof(T)), sizeof(T) == 4 ? "float" : "double");
        out += fmt::format("memory: training {} bytes, inference {} bytes (bytes column: each layer's output)\n",
                           grouped(Net::training_bytes), grouped(Net::inference_bytes));
        return out;
    }
};

}  // namespace detail

/// The same table as `Net::summary()`.
template <class Net>
std::string summary() {
    return detail::summary_table<Net>::text();
}

}  // namespace typenet
