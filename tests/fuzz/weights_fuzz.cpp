// libFuzzer target: load_weights either loads finite values or throws weights_error, leaving the
// network exactly as it was.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <typenet/io/weights.hpp>
#include <typenet/typenet.hpp>

#include "fuzz_file.hpp"

using Small = typenet::Network<typenet::Input<1, 6, 6>, typenet::Conv2D<2, typenet::Kernel<3>>, typenet::ReLU,
                               typenet::Flatten, typenet::Dense<3>>;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    static Small net;
    static bool seeded = false;
    if (!seeded) {
        typenet::initialize(net, typenet::Init::he_uniform, 1);
        seeded = true;
    }
    const auto before = net.parameters();
    try {
        typenet::load_weights(net, fuzz::as_file(bytes, size));
        for (float w : net.parameters())
            if (!std::isfinite(w)) __builtin_trap();
        net.parameters() = before;
    } catch (const typenet::weights_error&) {
        if (!(net.parameters() == before)) __builtin_trap();
    }
    return 0;
}
