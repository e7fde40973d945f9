// Whole-file text output for the viz writers, with errors that name the file.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace typenet::detail {

/// Replaces `path` with `content`; throws std::runtime_error naming the path on failure.
inline void write_text_file(const std::filesystem::path& path, std::string_view content) {
    errno = 0;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out) out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (out) out.close();
    if (!out) {
        const int reason = errno;
        throw std::runtime_error(fmt::format("typenet: cannot write '{}': {}", path.string(),
                                             reason != 0 ? std::strerror(reason) : "write failed"));
    }
}

/// Creates `dir` and its parents; throws std::runtime_error naming it when that is impossible.
inline void make_output_directory(const std::filesystem::path& dir) {
    if (dir.empty()) return;  // the current directory
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error || !std::filesystem::is_directory(dir)) {
        throw std::runtime_error(fmt::format("typenet: cannot create output directory '{}': {}", dir.string(),
                                             error ? error.message() : "not a directory"));
    }
}

}  // namespace typenet::detail
