// Running gnuplot on a generated script: RenderOptions in, RenderResult out, never an exception.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <typenet/io/atomic_file.hpp>

extern "C" char** environ;  // POSIX leaves its declaration to the program

namespace typenet {

/// How plots are rendered.
struct RenderOptions {
    std::string gnuplot = "gnuplot";         ///< program name (looked up in PATH) or path
    std::string title = "typenet training";  ///< title of the training curves
};

/// Whether the picture was made; `message` says where it is or, if not, how to make it later.
struct RenderResult {
    bool rendered = false;
    std::string message;
};

namespace detail {

/// A gnuplot single-quoted string: nothing is special inside except the quote, written twice.
/// A script line cannot hold a newline, so newlines become spaces.
inline std::string gnuplot_quote(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') {
            out += "''";
        } else {
            out += (c == '\n' || c == '\r') ? ' ' : c;
        }
    }
    return out + "'";
}

/// `text` as one POSIX shell word, quoted only when it needs to be, for messages users copy.
inline std::string shell_quote(std::string_view text) {
    const bool plain = !text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                               "0123456789_-+.,/:@%=") == std::string_view::npos;
    if (plain) return std::string(text);
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs `args` with stdin from /dev/null and stdout and stderr into `log`, so that a missing or
/// failing program leaves the terminal alone. Returns why it failed, or "" when it exited with 0.
inline std::string run_quietly(std::vector<std::string> args, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) return "cannot prepare to start a process";
    const std::string log_path = log.string();
    const bool redirected =
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0) == 0 &&
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644) == 0 &&
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO) == 0;
    if (!redirected) {
        posix_spawn_file_actions_destroy(&actions);
        return "cannot prepare to start a process";
    }

    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    // posix_spawnp reports a program that cannot be executed as its return value, before the
    // child could print anything.
    const int spawn_error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) return fmt::format("cannot run '{}': {}", args[0], std::strerror(spawn_error));

    int status = 0;
    pid_t waited = 0;
    do {
        waited = waitpid(pid, &status, 0);
    } while (waited == -1 && errno == EINTR);
    // With SIGCHLD ignored the status is lost; the caller still checks the picture itself.
    if (waited == -1) return "";
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    if (WIFEXITED(status)) return fmt::format("'{}' exited with status {}", args[0], WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return fmt::format("'{}' was stopped by signal {}", args[0], WTERMSIG(status));
    return fmt::format("'{}' failed", args[0]);
}

/// The whole of a small text file, or "" when it cannot be read.
inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// `script` drawing into `temporary` instead of `picture`, or "" when it names no such output.
inline std::string script_drawing_into(std::string script, std::string_view picture, std::string_view temporary) {
    const std::string line = "set output " + gnuplot_quote(picture);
    const std::size_t at = script.find(line);
    if (at == std::string::npos) return {};
    return script.replace(at, line.size(), "set output " + gnuplot_quote(temporary));
}

/// gnuplot's messages name the script it ran; users know it by its real name.
inline void restore_script_name(const std::filesystem::path& log, std::string_view temporary, std::string_view script) {
    std::string text = read_text_file(log);
    bool changed = false;
    for (std::size_t at = text.find(temporary); at != std::string::npos; at = text.find(temporary, at)) {
        text.replace(at, temporary.size(), script);
        at += script.size();
        changed = true;
    }
    if (!changed) return;
    try {
        write_file_atomically(log, text);
    } catch (const file_error&) {
        // The log still says what went wrong, only under the temporary's name.
    }
}

/// Runs `script` in `folder` with its picture going to a hidden temporary that becomes
/// `picture_path` only when gnuplot succeeds, so a crash or a full disk never leaves half a
/// picture under the real name. Returns why it failed, or "".
inline std::string render_into_place(const RenderOptions& options, const std::filesystem::path& folder,
                                     std::string_view script, const std::filesystem::path& picture_path,
                                     const std::filesystem::path& log) {
    namespace fs = std::filesystem;
    std::error_code ignored;
    const std::string cd = fmt::format("cd {}", gnuplot_quote(folder.string()));
    const fs::path temporary_picture = temporary_path_for(picture_path);
    const fs::path temporary_script = temporary_path_for(folder / script);
    const std::string redirected = script_drawing_into(read_text_file(folder / script),
                                                       picture_path.filename().string(),
                                                       temporary_picture.filename().string());
    if (redirected.empty()) return run_quietly({options.gnuplot, "-e", cd, std::string(script)}, log);
    try {
        write_file_atomically(temporary_script, redirected);
    } catch (const file_error& error) {
        return error.reason;
    }
    std::string reason = run_quietly({options.gnuplot, "-e", cd, temporary_script.filename().string()}, log);
    fs::remove(temporary_script, ignored);
    restore_script_name(log, temporary_script.filename().string(), script);
    const bool pictured = fs::is_regular_file(temporary_picture, ignored) &&
                          fs::file_size(temporary_picture, ignored) > 0 && !ignored;
    if (reason.empty() && !pictured) reason = "gnuplot wrote no picture";
    if (reason.empty()) {
        try {
            move_file_into_place(temporary_picture, picture_path);
        } catch (const file_error& error) {
            reason = error.reason;
        }
    }
    fs::remove(temporary_picture, ignored);  // after a failure it may hold half a picture
    return reason;
}

/// Renders `dir`/`script` (which writes `dir`/`picture` from the files named in `data`) with
/// gnuplot running in `dir`, so scripts use relative paths and the folder can be moved.
inline RenderResult run_gnuplot(const RenderOptions& options, const std::filesystem::path& dir, std::string_view script,
                                std::string_view picture, std::string_view data) {
    namespace fs = std::filesystem;
    const fs::path folder = dir.empty() ? fs::path(".") : dir;
    const fs::path picture_path = folder / picture;
    const fs::path log = folder / fs::path(script).replace_extension(".log");
    std::error_code ignored;
    fs::remove(picture_path, ignored);  // a stale picture must not pass for a fresh one

    std::string reason = render_into_place(options, folder, script, picture_path, log);
    const bool pictured = fs::is_regular_file(picture_path, ignored) && fs::file_size(picture_path, ignored) > 0 &&
                          !ignored;
    if (reason.empty() && !pictured) reason = "gnuplot wrote no picture";
    // Keep the log only when it says something.
    const bool has_log = fs::exists(log, ignored) && fs::file_size(log, ignored) > 0 && !ignored;
    if (!has_log) fs::remove(log, ignored);
    if (reason.empty()) return {true, fmt::format("rendered {}", picture_path.string())};
    if (has_log) reason += fmt::format(", see {}", log.filename().string());
    return {false, fmt::format("{} was not rendered ({}). The data ({}) and the gnuplot script ({}) are in {}; "
                               "to render them run: cd {} && gnuplot {}",
                               picture, reason, data, script, folder.string(), shell_quote(folder.string()), script)};
}

}  // namespace detail
}  // namespace typenet
