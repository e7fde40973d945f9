// The network the loader fuzz targets load into, shared with the seed-corpus tool so that the
// seeds are files the targets accept, and the invariant they check.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <typenet/typenet.hpp>

#include "fuzz_file.hpp"

namespace fuzz {

using SmallNet = typenet::Network<typenet::Input<1, 6, 6>, typenet::Conv2D<2, typenet::Kernel<3>>, typenet::ReLU,
                                  typenet::Flatten, typenet::Dense<3>>;

/// The invariant every loader target checks: `load(net, path)` on any bytes either loads finite
/// values or throws `Error` and leaves the network exactly as it was; anything else traps.
template <class Error, class Load>
int check_loader(const std::uint8_t* bytes, std::size_t size, Load load) {
    static SmallNet net;
    static bool seeded = false;
    if (!seeded) {
        typenet::initialize(net, typenet::Init::he_uniform, 1);
        seeded = true;
    }
    const auto before = net.parameters();
    try {
        load(net, as_file(bytes, size));
        for (float w : net.parameters())
            if (!std::isfinite(w)) __builtin_trap();
        net.parameters() = before;
    } catch (const Error&) {
        if (!(net.parameters() == before)) __builtin_trap();
    }
    return 0;
}

}  // namespace fuzz
