// Test helpers shared by the file-reading tests: a private scratch directory and message checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>

namespace test_support {

/// A fresh, empty directory under the system temp dir, removed afterwards; each test case gets
/// its own, so parallel runs (two compilers, ctest -j) never collide.
struct TempDir {
    std::filesystem::path dir;
    explicit TempDir(std::string_view prefix = "typenet-test") {
        std::random_device random;
        const std::uint64_t tag = (std::uint64_t{random()} << 32) | random();
        dir = std::filesystem::temp_directory_path() / fmt::format("{}-{:016x}", prefix, tag);
        std::filesystem::create_directories(dir);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

/// A BOOST_CHECK_EXCEPTION predicate: the exception's message contains every one of `parts`,
/// and each missing part is reported on its own.
inline auto message_has(std::initializer_list<std::string> parts) {
    return [wanted = std::vector<std::string>(parts)](const auto& error) {
        const std::string_view message = error.what();
        bool all_found = true;
        for (const auto& part : wanted) {
            const bool found = message.find(part) != std::string_view::npos;
            BOOST_CHECK_MESSAGE(found, "expected \"" << part << "\" in the message \"" << message << "\"");
            all_found = all_found && found;
        }
        return all_found;
    };
}

}  // namespace test_support
