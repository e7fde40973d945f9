#!/usr/bin/env bash
# Compile time and peak memory of the compile-cost probes at -O2, with both compilers.
# Usage: benchmarks/compile_time.sh   (from anywhere; prints one line per probe and compiler)
set -euo pipefail
cd "$(dirname "$0")/.."
for compiler in g++ clang++; do
    for probe in compile_lenet compile_deep40; do
        out=$(mktemp)
        /usr/bin/time -f '%e %M' -o "$out.time" \
            "$compiler" -std=c++20 -O2 -Iinclude "benchmarks/$probe.cpp" -o "$out"
        read -r seconds kib <"$out.time"
        printf '%-8s %-16s %6.1f s %7.0f MiB\n' "$compiler" "$probe" "$seconds" "$((kib / 1024))"
        rm -f "$out" "$out.time"
    done
done
