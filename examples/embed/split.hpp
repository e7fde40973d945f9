// SplitParameters: exported parameters cut into a frozen body, read in place, and a head to fine-tune.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include <typenet/rom_inference.hpp>
#include <typenet/signature.hpp>

namespace embed {

/// The parameters of `Exported` (a header written by typenet::export_header) as those of two
/// networks run one after the other: `Body`, the first layers, and `Head`, the rest. Both halves
/// stay where `Exported` keeps them (flash): `body` is an ExportedParameters view for
/// RomInference, `head()` points at the values a trainable `Head` starts from.
/// Compiles only if Body's layers followed by Head's are exactly those `Exported` was exported
/// from: the signatures, which name every layer setting and shape, must add up.
template <class Exported, class Body, class Head>
struct SplitParameters {
    static constexpr std::string_view whole = Exported::signature;
    static constexpr std::string_view body_signature = typenet::network_signature<Body>.view();
    // The head's signature without its scalar and input: "; <layer> -> <shape>; ...".
    static constexpr std::string_view head_signature = typenet::network_signature<Head>.view();
    static constexpr std::string_view head_layers =
        head_signature.substr(head_signature.find("; ", head_signature.find("; input ") + 2));

    static_assert(std::is_same_v<typename Body::scalar_type, typename Head::scalar_type> &&
                      std::is_same_v<typename Body::output_shape_type, typename Head::input_shape_type>,
                  "embed: Head must take Body's output, in the same scalar type");
    static_assert(whole.size() == body_signature.size() + head_layers.size() && whole.starts_with(body_signature) &&
                      whole.ends_with(head_layers),
                  "embed: Body's layers followed by Head's are not the network Exported was exported from");

    /// Body's parameters: the first Body::parameter_count values of Exported's, not a copy.
    struct body {
        static constexpr std::string_view signature = body_signature;
        struct view {
            static constexpr std::size_t size() { return Body::parameter_count; }
            static constexpr const auto* data() { return Exported::parameters.data(); }
        };
        static constexpr view parameters{};
    };

    /// Head's parameters: the values after Body's.
    static constexpr const auto* head() { return Exported::parameters.data() + Body::parameter_count; }
};

}  // namespace embed
