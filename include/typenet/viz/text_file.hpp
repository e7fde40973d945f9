// Whole-file text output for the viz writers, with errors that name the file.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include <typenet/io/atomic_file.hpp>

namespace typenet::detail {

/// Replaces `path` with `content` atomically (see write_file_atomically); throws file_error, a
/// std::runtime_error naming the path, on failure.
inline void write_text_file(const std::filesystem::path& path, std::string_view content) {
    write_file_atomically(path, content);
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
