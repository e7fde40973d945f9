// RomInference<Net, Exported>: runs a network on parameters it reads in place from a constexpr array (flash).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>

#include <typenet/inference.hpp>
#include <typenet/network.hpp>
#include <typenet/signature.hpp>

namespace typenet {

/// A type holding a network's parameters where they can stay: `static constexpr std::array<T, N>
/// parameters` and the `std::string_view signature` of the network they belong to, as
/// `export_header` writes it (<typenet/io/export.hpp>).
template <class Exported>
concept ExportedParameters = requires {
    { Exported::signature } -> std::convertible_to<std::string_view>;
    Exported::parameters.size();
    Exported::parameters.data();
};

namespace detail {

/// Instantiated with the network the parameters were exported from (as `Exported`, whose
/// `signature` names it) and the network they are used with, so both appear in the error.
template <class Exported, class Net>
struct exported_network_check {
    static_assert(std::string_view(Exported::signature) == network_signature<Net>.view(),
                  "typenet: the parameters in Exported were exported from a different network than Net "
                  "(Exported::signature, also the first line of its header, names that network)");
    static_assert(Exported::parameters.size() == Net::parameter_count,
                  "typenet: Exported holds a different number of parameters than Net has");
    static constexpr bool ok = true;
};

}  // namespace detail

/// `Exported::parameters`, checked at compile time to belong to `Net`: a different network is a
/// compile error naming both. E.g. `Inference<Net> copy; copy.parameters() = ...` is not needed
/// for RomInference, which checks the same itself.
template <class Net, ExportedParameters Exported>
constexpr const auto& parameters_for() {
    static_assert(detail::exported_network_check<Exported, Net>::ok);
    return Exported::parameters;
}

/// Runs `Net` forward on the parameters of `Exported` (a header written by `export_header`),
/// reading them in place from wherever the array lives, read-only memory included. The object
/// holds only two activation buffers and one scratch area: `sizeof == Net::ram_bytes`, and the
/// parameters take `Net::flash_bytes`. Works in constant evaluation too, so a compiler can
/// classify an input. Using parameters exported from a different network does not compile.
/// See tests/static/mnist_at_compile_time_test.cpp.
template <class Net, ExportedParameters Exported>
class RomInference {
    static_assert(detail::exported_network_check<Exported, Net>::ok);

public:
    using input_tensor = typename Net::input_tensor;
    using output_view = typename detail::ForwardBuffers<Net>::output_view;

    /// Runs every layer on `x`; the result stays valid until the next call.
    constexpr output_view predict(const input_tensor& x) {
        static_assert(sizeof(RomInference) == Net::ram_bytes,
                      "typenet: internal error: ram_bytes does not match RomInference's size");
        return buffers_.run(Exported::parameters.data(), x);
    }

private:
    detail::ForwardBuffers<Net> buffers_{};
};

/// The index of the largest output value (the first, on a tie): the predicted class.
template <class View>
constexpr std::size_t predicted_class(const View& output) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < output.size(); ++i)
        if (output[i] > output[best]) best = i;
    return best;
}

}  // namespace typenet
