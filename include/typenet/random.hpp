// Random: a seeded generator that gives the same numbers on every compiler and platform.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

namespace typenet {

/// SplitMix64: tiny, fast, and the same sequence on every compiler and platform (unlike the
/// standard distributions, whose algorithms are unspecified).
class Random {
public:
    constexpr explicit Random(std::uint64_t seed) : state_(seed) {}

    constexpr std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1) with 53 random bits.
    constexpr double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    constexpr double uniform(double low, double high) { return low + (high - low) * uniform(); }
    /// Standard normal, Box-Muller.
    double normal() {
        const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    /// Uniform integer in [0, bound), without modulo bias: draws below 2^64 mod bound are
    /// rejected, so every residue is equally likely.
    constexpr std::uint64_t below(std::uint64_t bound) {
        const std::uint64_t threshold = (0 - bound) % bound;
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) return r % bound;
        }
    }

private:
    std::uint64_t state_;
};

/// Fisher-Yates from the back: for i = count-1 .. 1, `swap(i, j)` with j uniform in [0, i].
/// The order depends only on `random`'s state and `count`, bit for bit, anywhere.
template <class Swap>
constexpr void shuffle_positions(std::size_t count, Random& random, Swap swap) {
    for (std::size_t i = count; i > 1; --i) {
        const auto j = static_cast<std::size_t>(random.below(i));
        if (j != i - 1) swap(i - 1, j);
    }
}

}  // namespace typenet
