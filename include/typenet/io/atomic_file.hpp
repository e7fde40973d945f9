// write_file_atomically: replaces a file so that it holds either its old or its whole new contents.
#pragma once

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace typenet {

/// A file that could not be written. `what()` is "typenet: cannot write '<path>': <reason>";
/// `path` and `reason` are kept so that callers can rethrow in their own wording.
struct file_error : std::runtime_error {
    file_error(std::filesystem::path file, std::string why)
        : std::runtime_error(fmt::format("typenet: cannot write '{}': {}", file.string(), why)),
          path(std::move(file)),
          reason(std::move(why)) {}
    std::filesystem::path path;
    std::string reason;
};

namespace detail {

/// ".<name>.<pid>-<counter>-<random>" beside `target`: unique per process and per call, so
/// concurrent saves to one path never share a temporary, and hidden from directory listings.
inline std::filesystem::path temporary_path_for(const std::filesystem::path& target) {
    static std::atomic<std::uint64_t> counter{0};
    static const std::uint64_t salt = [] {
        std::uint64_t value = reinterpret_cast<std::uintptr_t>(&counter);
        value ^= static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        return value * 0x9E3779B97F4A7C15ULL;
    }();
    const std::uint64_t call = counter.fetch_add(1, std::memory_order_relaxed);
    const std::string name = fmt::format(".{}.{}-{}-{:x}", target.filename().string(), getpid(), call,
                                         (salt ^ (call * 0xBF58476D1CE4E5B9ULL)) & 0xFFFFFF);
    return target.parent_path() / name;
}

/// The directory a relative or absolute `target` lives in, as open() wants it.
inline std::filesystem::path directory_of(const std::filesystem::path& target) {
    return target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
}

[[noreturn]] inline void fail_with_errno(const std::filesystem::path& target, std::string_view step, int error) {
    throw file_error(target, fmt::format("{}{}", step.empty() ? "" : fmt::format("{}: ", step), std::strerror(error)));
}

/// Says why no file can be created in `target`'s directory, naming the directory.
[[noreturn]] inline void fail_to_create(const std::filesystem::path& target, int error) {
    const std::filesystem::path dir = directory_of(target);
    std::error_code ignored;
    if (error == ENOENT || error == ENOTDIR) {
        const auto status = std::filesystem::status(dir, ignored);
        if (!std::filesystem::exists(status))
            throw file_error(target, fmt::format("the directory '{}' does not exist", dir.string()));
        if (!std::filesystem::is_directory(status))
            throw file_error(target, fmt::format("'{}' is not a directory", dir.string()));
    }
    fail_with_errno(target, fmt::format("cannot create a file in '{}'", dir.string()), error);
}

/// Opens a new, unique temporary file beside `target`; `temporary` receives its name.
inline int create_temporary(const std::filesystem::path& target, std::filesystem::path& temporary) {
    for (int attempt = 0;; ++attempt) {
        temporary = temporary_path_for(target);
        // 0666 and the umask, like any new file; O_EXCL makes a name clash an error, not a share.
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) return fd;
        if (errno != EEXIST || attempt == 100) fail_to_create(target, errno);
    }
}

/// Writes all of `bytes`, retrying after signals and short writes; returns 0 or the errno.
inline int write_all(int fd, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
    return 0;
}

/// A replaced file keeps its permission bits, as it did when it was overwritten in place.
inline void copy_permissions(int fd, const std::filesystem::path& target) {
    struct stat existing {};
    if (::stat(target.c_str(), &existing) == 0) ::fchmod(fd, existing.st_mode & 07777);
}

/// Makes the rename itself durable. Some file systems cannot sync a directory (EINVAL): the
/// file is then as safe as that file system allows, which is not worth failing the save for.
inline void sync_directory(const std::filesystem::path& target) {
    const int dir = ::open(directory_of(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) fail_with_errno(target, "written, but its directory cannot be opened to sync it", errno);
    const int error = ::fsync(dir) == 0 ? 0 : errno;
    ::close(dir);
    if (error != 0 && error != EINVAL && error != ENOTSUP)
        fail_with_errno(target, "written, but its directory could not be synced to disk", error);
}

/// Removes the temporary file unless released, so no error path leaves one behind.
struct TemporaryFile {
    std::filesystem::path path;
    int fd = -1;
    bool keep = false;
    ~TemporaryFile() {
        if (fd >= 0) ::close(fd);
        if (!keep) ::unlink(path.c_str());
    }
};

}  // namespace detail

/// Replaces `path` with `bytes` so that, whatever happens (full disk, crash, power loss, a
/// concurrent save), `path` holds either its previous contents or all of `bytes`: the bytes go
/// to a unique temporary file in the same directory, which is synced and then renamed over
/// `path`, and the directory is synced. On any error the temporary file is removed and
/// `file_error` names `path` and the reason (e.g. "No space left on device", or "the directory
/// 'out' does not exist"). POSIX only. Used by save_weights, write_idx_* and the viz writers.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    detail::TemporaryFile temporary;
    temporary.fd = detail::create_temporary(path, temporary.path);
    detail::copy_permissions(temporary.fd, path);
    if (const int error = detail::write_all(temporary.fd, bytes); error != 0) detail::fail_with_errno(path, "", error);
    // Without fsync the rename can reach the disk before the data, and a crash leaves an empty file.
    if (::fsync(temporary.fd) != 0) detail::fail_with_errno(path, "cannot sync it to disk", errno);
    const int fd = std::exchange(temporary.fd, -1);
    // close() can be the first call to report a failed write (NFS, quotas); EINTR still closed it.
    if (::close(fd) != 0 && errno != EINTR) detail::fail_with_errno(path, "", errno);
    if (::rename(temporary.path.c_str(), path.c_str()) != 0)
        detail::fail_with_errno(path, "cannot replace it", errno);
    temporary.keep = true;
    detail::sync_directory(path);
}

/// Puts `written`, a complete file that another program wrote beside `target` (in the same
/// directory), in place of `target` with the same guarantees: it is synced, renamed over
/// `target`, and the directory is synced. Throws file_error naming `target`; `written` is then
/// left for the caller to remove.
inline void move_file_into_place(const std::filesystem::path& written, const std::filesystem::path& target) {
    const int fd = ::open(written.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) detail::fail_with_errno(target, fmt::format("cannot open '{}'", written.string()), errno);
    const int error = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0) detail::fail_with_errno(target, "cannot sync it to disk", error);
    if (::rename(written.c_str(), target.c_str()) != 0) detail::fail_with_errno(target, "cannot replace it", errno);
    detail::sync_directory(target);
}

/// The same for text (reports, CSV files, scripts).
inline void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace typenet
