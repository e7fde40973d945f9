// Shared by the fuzz targets: the loaders read paths, so each input is written to a scratch file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace fuzz {

/// `bytes` as the contents of a file private to this process; returns its path.
inline std::filesystem::path as_file(const std::uint8_t* bytes, std::size_t size) {
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("typenet-fuzz-" + std::to_string(getpid()));
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace fuzz
