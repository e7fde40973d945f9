// Running gnuplot on a generated script: RenderOptions in, RenderResult out, never an exception.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

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

    std::string reason = run_quietly(
        {options.gnuplot, "-e", fmt::format("cd {}", gnuplot_quote(folder.string())), std::string(script)}, log);
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
