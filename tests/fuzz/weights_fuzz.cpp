// libFuzzer target: load_weights either loads finite values or throws weights_error, leaving the
// network exactly as it was.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include <typenet/io/weights.hpp>
#include <typenet/typenet.hpp>

#include "fuzz_networks.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

// A mutated file almost never keeps a valid checksum, which would hide everything checked after
// it (finite values, the copy into the network); so every other mutant gets its checksum fixed.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    size = LLVMFuzzerMutate(data, size, max_size);
    constexpr std::size_t header = typenet::detail::weights_header_size;
    if (seed % 2 == 0 && size >= header + 8) {
        const std::uint64_t checksum = typenet::detail::fnv1a(data + header, size - header - 8);
        std::memcpy(data + size - 8, &checksum, 8);
    }
    return size;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    return fuzz::check_loader<typenet::weights_error>(
        bytes, size, [](fuzz::SmallNet& net, const auto& path) { typenet::load_weights(net, path); });
}
