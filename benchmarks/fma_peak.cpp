// The FP32 peak of one core, measured rather than looked up: what the achieved GFLOP/s of the
// other benchmarks are compared with. Prints key=value lines for scripts/bench.sh.
//
// A core retires at most a few fused multiply-adds per cycle, but each takes several cycles to
// finish, so one chain of dependent FMAs runs at a fraction of the peak. Twelve independent
// accumulators cover latency x pipes on current x86 cores (Zen 2: 5 x 2, Skylake: 4 x 2) and
// still leave registers for the two operands, so nothing spills to memory.
//
// Built with -ffp-contract=fast (benchmarks/CMakeLists.txt): in ISO C++ mode GCC does not fuse
// a * b + c on its own, and there is no portable FMA on vector-extension types.
#include <algorithm>
#include <chrono>
#include <cstdio>

namespace {

using clock_type = std::chrono::steady_clock;

typedef float float8 __attribute__((vector_size(8 * sizeof(float))));
#ifdef __AVX512F__
typedef float float16 __attribute__((vector_size(16 * sizeof(float))));
#endif

constexpr int chains = 12;
float sink = 0;  // keeps the results alive, so the loop cannot be dropped
// Read at run time: with constants the compiler folds a chain whose start is already the fixed point.
volatile float one = 1.0f, scale_value = 0.999999f, add_value = 1e-6f;

/// Seconds for `iterations` rounds of one FMA on each of the chains.
template <class V>
double run(long iterations) {
    V acc[chains];
    for (int c = 0; c < chains; ++c) acc[c] = V{} + one + float(c) * 1e-3f;
    // Converges to 1: no overflow or denormals, however long it runs.
    const V scale = V{} + scale_value, add = V{} + add_value;
    const auto start = clock_type::now();
    for (long i = 0; i < iterations; ++i)
        for (int c = 0; c < chains; ++c) acc[c] = acc[c] * scale + add;
    const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    for (int c = 0; c < chains; ++c) sink += acc[c][0];
    return seconds;
}

/// Best GFLOP/s of several runs of about 0.3 s each: the least disturbed by other processes.
template <class V>
double peak_gflops() {
    constexpr int lanes = sizeof(V) / sizeof(float);
    long iterations = 1 << 20;
    iterations = std::max(1L, long(double(iterations) * 0.3 / run<V>(iterations)));  // also warms up the clock
    double best = 0;
    for (int r = 0; r < 5; ++r) best = std::max(best, 2.0 * chains * lanes * double(iterations) / run<V>(iterations) / 1e9);
    return best;
}

}  // namespace

int main() {
    double best = peak_gflops<float8>();
    const char* how = "8-float vectors";
#ifdef __AVX512F__
    // Cores with two full-width AVX-512 units reach their peak only on 16-float vectors.
    if (const double wide = peak_gflops<float16>(); wide > best) {
        best = wide;
        how = "16-float vectors";
    }
#endif
    std::printf("fma_peak_gflops=%.1f\nfma_peak_how=%s, %d independent FMA chains\nfma_check=%g\n", best, how, chains,
                double(sink));
}
