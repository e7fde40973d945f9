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

/// "Conv2D 8 3x3 /2 pad 1", "MaxPool 2x2 /2", "Dense 72", "LeakyReLU 0.001": the layer's settings,
/// and for other layers (a user's) each setting as "name=value".
template <class Layer>
std::string describe_layer() {
    std::string text(Layer::kind);
    if constexpr (requires { Layer::filters; }) {
        text += fmt::format(" {} {}x{}", Layer::filters, Layer::kernel_h, Layer::kernel_w);
        if (Layer::stride_h != 1 || Layer::stride_w != 1)
            text += Layer::stride_h == Layer::stride_w ? fmt::format(" /{}", Layer::stride_h)
                                                       : fmt::format(" /{}x{}", Layer::stride_h, Layer::stride_w);
        if (Layer::pad_h != 0 || Layer::pad_w != 0)
            text += Layer::pad_h == Layer::pad_w ? fmt::format(" pad {}", Layer::pad_h)
                                                 : fmt::format(" pad {}x{}", Layer::pad_h, Layer::pad_w);
    } else if constexpr (requires { Layer::step; }) {
        text += fmt::format(" {}x{}", Layer::size, Layer::size);
        if (Layer::step != Layer::size) text += fmt::format(" /{}", Layer::step);
    } else if constexpr (requires { Layer::units; }) {
        text += fmt::format(" {}", Layer::units);
    } else if constexpr (setting_of<Layer>("alpha_den") != 0) {
        text += fmt::format(" {:g}", double(setting_of<Layer>("alpha_num")) / double(setting_of<Layer>("alpha_den")));
    } else {
        for (const auto& [name, value] : Layer::settings) text += fmt::format(" {}={}", name, value);
    }
    return text;
}

/// "weight 8x1x3x3, bias 8": layer I's parameter tensors; state tensors marked so.
template <class Net, std::size_t I>
std::string describe_tensors() {
    std::string text;
    for (const ParameterInfo& tensor : Net::template layer_tensors<I>) {
        text += fmt::format("{}{} {}", text.empty() ? "" : ", ", tensor.name, format_shape(tensor.shape));
        if (tensor.role == Role::state) text += " (state)";
    }
    return text;
}

/// One line of the table; a layer without parameters has an empty tensors column.
inline std::string table_row(std::string_view index, std::string_view layer, std::string_view output,
                             std::string_view parameters, std::string_view bytes, std::string_view tensors) {
    std::string row = fmt::format("{:>3}  {:<24} {:>10} {:>12} {:>12}  {}", index, layer, output, parameters, bytes,
                                  tensors);
    row.erase(row.find_last_not_of(' ') + 1);
    return row + '\n';
}

template <class Net>
struct summary_table {
    static std::string text() {
        using T = typename Net::scalar_type;
        std::string out = table_row("#", "layer", "output", "parameters", "bytes", "tensors");
        out += table_row("", "Input", format_shape(Net::input_shape), "0",
                         grouped(Net::input_shape_type::size * sizeof(T)), "");
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((out += table_row(fmt::format("{}", I), describe_layer<typename Net::template layer_type<I>>(),
                               format_shape(Net::template shape_at<I>), grouped(Net::template layer_parameter_count<I>),
                               grouped(Net::template shape_type<I>::size * sizeof(T)), describe_tensors<Net, I>())),
             ...);
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
