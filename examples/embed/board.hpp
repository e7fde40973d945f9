// What main.cpp needs from the machine it runs on: text output, a clock, and a way to fail.
#pragma once

#include <cstdint>

namespace board {

/// The machine, printed in the first line.
extern const char* const name;
/// What `clock()` counts: "ns" on the host; instructions on the Cortex-M4 under QEMU's
/// `-icount shift=0`, which advances the virtual clock by one nanosecond per instruction.
extern const char* const clock_unit;

/// Writes `text` as it is: no newline is added, nothing is allocated.
void write(const char* text);
std::uint64_t clock();
/// Ends the program with a failing exit status, at once (e.g. on a heap allocation).
[[noreturn]] void fail();

}  // namespace board
