// libFuzzer target: import_npz either loads finite values or throws import_error, leaving the network exactly as it was.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <typenet/io/npz.hpp>
#include <typenet/typenet.hpp>

#include "fuzz_file.hpp"
#include "fuzz_networks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    static fuzz::SmallNet net;
    static bool seeded = false;
    if (!seeded) {
        typenet::initialize(net, typenet::Init::he_uniform, 1);
        seeded = true;
    }
    const auto before = net.parameters();
    try {
        typenet::import_npz(net, fuzz::as_file(bytes, size));
        for (float w : net.parameters())
            if (!std::isfinite(w)) __builtin_trap();
        net.parameters() = before;
    } catch (const typenet::import_error&) {
        if (!(net.parameters() == before)) __builtin_trap();
    }
    return 0;
}
