// print(...): text, integers and floats to the board's output, without printf, iostream or heap.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

#include "board.hpp"

namespace embed {
namespace detail {

/// One line of output, built in a fixed buffer; too long a line is cut, never overflowed.
struct Line {
    char text[160]{};
    std::size_t size = 0;

    void put(char c) {
        if (size + 1 < sizeof text) text[size++] = c;
    }
    void put(const char* s) {
        while (*s) put(*s++);
    }
    void put(unsigned long long n, int min_digits = 1) {
        char digits[20];
        int count = 0;
        do {
            digits[count++] = char('0' + n % 10);
            n /= 10;
        } while (n > 0 || count < min_digits);
        while (count > 0) put(digits[--count]);
    }
    template <std::integral N>
    void put(N n) {
        if constexpr (std::is_signed_v<N>) {
            if (n < 0) {
                put('-');
                return put(0ull - static_cast<unsigned long long>(n));
            }
        }
        put(static_cast<unsigned long long>(n));
    }
    /// Six decimals, enough to see a small loss fall; in float, which the Cortex-M4 has in hardware.
    void put(float x) {
        if (x < 0) put('-');
        const auto micros = static_cast<unsigned long long>((x < 0 ? -x : x) * 1e6f + 0.5f);
        put(micros / 1000000);
        put('.');
        put(micros % 1000000, 6);
    }
};

}  // namespace detail

/// Writes its arguments and a newline as one piece of text.
template <class... Parts>
void print(const Parts&... parts) {
    detail::Line line;
    (line.put(parts), ...);
    line.put('\n');
    board::write(line.text);
}

}  // namespace embed
