// libFuzzer target: import_npz either loads finite values or throws import_error, leaving the network exactly as it was.
#include <cstddef>
#include <cstdint>

#include <typenet/io/npz.hpp>
#include <typenet/typenet.hpp>

#include "fuzz_networks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    return fuzz::check_loader<typenet::import_error>(
        bytes, size, [](fuzz::SmallNet& net, const auto& path) { typenet::import_npz(net, path); });
}
