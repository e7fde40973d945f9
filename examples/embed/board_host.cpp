// The host as a board: text to stdout, a nanosecond clock.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "board.hpp"

namespace board {

const char* const name = "the host";
const char* const clock_unit = "ns";

void write(const char* text) { std::fputs(text, stdout); }

std::uint64_t clock() {
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

void fail() {
    std::fflush(stdout);
    std::_Exit(EXIT_FAILURE);
}

}  // namespace board
