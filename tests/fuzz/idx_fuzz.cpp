// libFuzzer target: any bytes given to the IDX readers end in a result or a data_error, nothing else.
#include <cstddef>
#include <cstdint>

#include <typenet/data/idx.hpp>

#include "fuzz_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const auto path = fuzz::as_file(bytes, size);
    try {
        const typenet::IdxImages images = typenet::read_idx_images(path);
        if (images.pixels.size() != images.count * images.rows * images.cols) __builtin_trap();
    } catch (const typenet::data_error&) {
    }
    try {
        (void)typenet::read_idx_labels(path);
    } catch (const typenet::data_error&) {
    }
    return 0;
}
