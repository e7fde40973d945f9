// Crash-safe file writing: a failed save reports the error, keeps the previous file byte for byte
// and leaves no temporary behind, for every writer of user files.
#define BOOST_TEST_MODULE atomic_file
#include <boost/test/unit_test.hpp>

#include "../support/temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <typenet/data/idx.hpp>
#include <typenet/io/atomic_file.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/typenet.hpp>
#include <typenet/viz/curves.hpp>
#include <typenet/viz/png.hpp>
#include <typenet/viz/report.hpp>

namespace {

namespace fs = std::filesystem;
using test_support::TempDir;
using Bytes = std::vector<char>;

Bytes read_all(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), {}};
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

enum ChildExit : int { threw_as_expected = 0, returned_normally = 1, threw_something_else = 2, wrong_message = 3 };

/// Runs `save` in a child process that may not grow any file past `limit` bytes (SIGXFSZ ignored,
/// so write() fails with EFBIG, as on a full disk). The child reports through its exit code.
template <class Error, class Save>
int exit_code_of_limited_save(std::size_t limit, Save save, const std::vector<std::string>& message_parts) {
    std::cout.flush();
    std::cerr.flush();
    const pid_t pid = fork();
    if (pid == 0) {
        const rlimit file_size{limit, limit};
        setrlimit(RLIMIT_FSIZE, &file_size);
        std::signal(SIGXFSZ, SIG_IGN);
        int code = returned_normally;
        try {
            save();
        } catch (const Error& error) {
            code = threw_as_expected;
            for (const auto& part : message_parts) {
                if (std::string(error.what()).find(part) == std::string::npos) code = wrong_message;
            }
            if (code == wrong_message) std::cerr << "child: unexpected message: " << error.what() << "\n";
        } catch (const std::exception& other) {
            std::cerr << "child: unexpected exception: " << other.what() << "\n";
            code = threw_something_else;
        }
        _exit(code);  // no atexit handlers, no Boost.Test report from the child
    }
    BOOST_REQUIRE(pid > 0);
    int status = 0;
    BOOST_REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/// The save under a small file-size limit failed loudly and changed nothing on disk.
template <class Error, class Save>
void expect_failed_save_keeps_previous(const fs::path& path, std::size_t limit, Save save,
                                       const std::vector<std::string>& message_parts) {
    const Bytes previous = read_all(path);
    const auto names_before = names_in(path.parent_path());
    BOOST_TEST(exit_code_of_limited_save<Error>(limit, save, message_parts) == int{threw_as_expected});
    BOOST_TEST((read_all(path) == previous), path.string() << " changed after a failed save");
    BOOST_TEST(names_in(path.parent_path()) == names_before, boost::test_tools::per_element());
}

using SmallNet = typenet::Network<typenet::Input<1, 8, 8>, typenet::Conv2D<3, typenet::Kernel<3>>, typenet::ReLU,
                                  typenet::MaxPool<2>, typenet::Flatten, typenet::Dense<4>>;
using LargeNet = typenet::Network<typenet::Input<1, 8, 8>, typenet::Flatten, typenet::Dense<64>>;

}  // namespace

BOOST_FIXTURE_TEST_SUITE(atomic_file, TempDir)

BOOST_AUTO_TEST_CASE(replaces_the_file_and_leaves_nothing_beside_it) {
    const fs::path path = dir / "data.txt";
    typenet::write_file_atomically(path, std::string_view("first version, longer"));
    typenet::write_file_atomically(path, std::string_view("second"));
    BOOST_TEST((read_all(path) == Bytes{'s', 'e', 'c', 'o', 'n', 'd'}));
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"data.txt"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keeps_the_permissions_of_the_file_it_replaces) {
    const fs::path path = dir / "private.txt";
    typenet::write_file_atomically(path, std::string_view("a"));
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    typenet::write_file_atomically(path, std::string_view("b"));
    BOOST_TEST((fs::status(path).permissions() == (fs::perms::owner_read | fs::perms::owner_write)));
}

BOOST_AUTO_TEST_CASE(failed_writes_keep_the_previous_file) {
    const fs::path path = dir / "data.bin";
    typenet::write_file_atomically(path, std::string_view("the good file"));
    const std::string small(500, 's'), large(100'000, 'L');
    expect_failed_save_keeps_previous<typenet::file_error>(
        path, 100, [&] { typenet::write_file_atomically(path, small); }, {path.string(), "File too large"});
    expect_failed_save_keeps_previous<typenet::file_error>(
        path, 10'000, [&] { typenet::write_file_atomically(path, large); }, {path.string(), "File too large"});
}

BOOST_AUTO_TEST_CASE(a_missing_directory_is_named) {
    const fs::path missing = dir / "no such folder";
    BOOST_CHECK_EXCEPTION(typenet::write_file_atomically(missing / "x.txt", std::string_view("x")),
                          typenet::file_error,
                          test_support::message_has({(missing / "x.txt").string(),
                                                     "the directory '" + missing.string() + "' does not exist"}));
    const fs::path file = dir / "a file";
    typenet::write_file_atomically(file, std::string_view("x"));
    BOOST_CHECK_EXCEPTION(typenet::write_file_atomically(file / "x.txt", std::string_view("x")), typenet::file_error,
                          test_support::message_has({"'" + file.string() + "' is not a directory"}));
}

BOOST_AUTO_TEST_CASE(temporary_names_are_unique_and_beside_the_target) {
    const fs::path target = dir / "weights.bin";
    std::set<fs::path> names;
    for (int i = 0; i < 1000; ++i) {
        const fs::path name = typenet::detail::temporary_path_for(target);
        BOOST_TEST(name.parent_path() == dir);
        BOOST_TEST(name.filename().string().starts_with(".weights.bin."));
        names.insert(name);
    }
    BOOST_TEST(names.size() == 1000u);
}

// Each writer rewrites the file many times; a reader in between must only ever see whole files.
BOOST_AUTO_TEST_CASE(concurrent_writers_leave_one_complete_file) {
    const fs::path path = dir / "shared.txt";
    const std::string a(3000, 'a'), b(5000, 'b');
    typenet::write_file_atomically(path, a);
    std::atomic<int> failures{0};
    auto writer = [&](const std::string& text) {
        for (int i = 0; i < 200; ++i) {
            try {
                typenet::write_file_atomically(path, text);
            } catch (const typenet::file_error&) {
                ++failures;
            }
        }
    };
    std::atomic<bool> done{false};
    std::atomic<int> torn{0};
    std::thread reader([&] {
        while (!done) {
            const Bytes seen = read_all(path);
            if (seen != Bytes(a.begin(), a.end()) && seen != Bytes(b.begin(), b.end())) ++torn;
        }
    });
    std::thread first(writer, std::cref(a)), second(writer, std::cref(b));
    first.join();
    second.join();
    done = true;
    reader.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(torn.load() == 0);
    BOOST_TEST(names_in(dir) == std::vector<std::string>{"shared.txt"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failed_small_weights_save_keeps_the_previous_file) {
    static_assert(SmallNet::parameter_count * 4 + 48 < 1024, "a file small enough to be written only at close");
    const fs::path path = dir / "weights.bin";
    SmallNet net;
    typenet::initialize(net, typenet::Init::he_uniform, 1);
    typenet::save_weights(net, path);
    typenet::initialize(net, typenet::Init::he_uniform, 2);
    expect_failed_save_keeps_previous<typenet::weights_error>(
        path, 64, [&] { typenet::save_weights(net, path); }, {path.string(), "File too large"});
}

BOOST_AUTO_TEST_CASE(failed_large_weights_save_keeps_the_previous_file) {
    static_assert(LargeNet::parameter_count * 4 > 16 * 1024, "a file larger than any stream buffer");
    const fs::path path = dir / "weights.bin";
    auto net = std::make_unique<LargeNet>();
    typenet::initialize(*net, typenet::Init::he_uniform, 1);
    typenet::save_weights(*net, path);
    typenet::initialize(*net, typenet::Init::he_uniform, 2);
    expect_failed_save_keeps_previous<typenet::weights_error>(
        path, 4096, [&] { typenet::save_weights(*net, path); }, {path.string(), "File too large"});
}

BOOST_AUTO_TEST_CASE(failed_idx_writes_keep_the_previous_files) {
    const fs::path images = dir / "images-idx3-ubyte";
    typenet::write_idx_images(images, 2, 28, 28, std::vector<std::uint8_t>(2 * 28 * 28, 7));
    expect_failed_save_keeps_previous<typenet::data_error>(
        images, 1024,
        [&] { typenet::write_idx_images(images, 40, 28, 28, std::vector<std::uint8_t>(40 * 28 * 28, 9)); },
        {images.string(), "File too large"});

    const fs::path labels = dir / "labels-idx1-ubyte";
    typenet::write_idx_labels(labels, std::vector<std::uint8_t>(10, 1));
    expect_failed_save_keeps_previous<typenet::data_error>(
        labels, 16, [&] { typenet::write_idx_labels(labels, std::vector<std::uint8_t>(100, 2)); },
        {labels.string(), "File too large"});
}

BOOST_AUTO_TEST_CASE(failed_report_and_png_writes_keep_the_previous_files) {
    typenet::write_report(dir, "first", {{"accuracy", "90 %"}}, {});
    const fs::path report = dir / "report.html";
    expect_failed_save_keeps_previous<std::runtime_error>(
        report, 512, [&] { typenet::write_report(dir, std::string(4000, 'x'), {}, {}); },
        {report.string(), "File too large"});

    const fs::path png = dir / "picture.png";
    typenet::write_png(png, 2, 2, 1, std::vector<std::uint8_t>(4, 0));
    std::vector<std::uint8_t> noise(200 * 200);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 2654435761u >> 13);
    expect_failed_save_keeps_previous<std::runtime_error>(
        png, 2048, [&] { typenet::write_png(png, 200, 200, 1, noise); }, {png.string(), "File too large"});
}

namespace {

/// A stand-in for gnuplot: a shell script run as `gnuplot -e "cd '<dir>'" <script>` that writes
/// `contents` to the file the script's `set output` names, prints a message naming the script,
/// and exits with `status`.
fs::path fake_gnuplot(const fs::path& dir, std::string_view name, std::string_view contents, int status) {
    const fs::path program = dir / name;
    constexpr std::string_view script = R"sh(#!/bin/sh
cd "$(printf '%s' "$2" | sed "s/^cd '\(.*\)'$/\1/")" || exit 9
out=$(sed -n "s/^set output '\(.*\)'$/\1/p" "$3")
printf '%s' '{}' > "$out"
echo "\"$3\" line 3: fake gnuplot" >&2
exit {}
)sh";
    typenet::write_file_atomically(program, fmt::format(fmt::runtime(script), contents, status));
    fs::permissions(program, fs::perms::owner_all);
    return program;
}

typenet::History one_epoch() {
    typenet::History history;
    history.epochs.push_back({});
    history.epochs.back().epoch = 1;
    return history;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_failed_render_leaves_no_half_picture) {
    const fs::path tools = dir / "tools";
    const fs::path out = dir / "out";
    fs::create_directories(tools);
    const typenet::RenderResult result = typenet::render_training_curves(
        out, one_epoch(), {.gnuplot = fake_gnuplot(tools, "failing", "half a picture", 1).string()});
    BOOST_TEST(!result.rendered);
    BOOST_TEST(!fs::exists(out / "curves.png"));
    BOOST_TEST(names_in(out) == (std::vector<std::string>{"curves.csv", "curves.gp", "curves.log"}),
               boost::test_tools::per_element());
    // The log names the script the user can run, not the temporary copy gnuplot was given.
    const Bytes log = read_all(out / "curves.log");
    BOOST_TEST(std::string(log.begin(), log.end()) == "\"curves.gp\" line 3: fake gnuplot\n");
}

BOOST_AUTO_TEST_CASE(a_successful_render_is_moved_into_place) {
    const fs::path tools = dir / "tools";
    const fs::path out = dir / "out";
    fs::create_directories(tools);
    const typenet::RenderResult result = typenet::render_training_curves(
        out, one_epoch(), {.gnuplot = fake_gnuplot(tools, "working", "a picture", 0).string()});
    BOOST_TEST(result.rendered, result.message);
    const Bytes picture = read_all(out / "curves.png");
    BOOST_TEST(std::string(picture.begin(), picture.end()) == "a picture");
    BOOST_TEST(names_in(out) == (std::vector<std::string>{"curves.csv", "curves.gp", "curves.log", "curves.png"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
