#!/usr/bin/env bash
# Compile time and peak memory of the compile-cost probes at -O2, with both compilers.
# Usage: benchmarks/compile_time.sh   (from anywhere; prints one line per probe and compiler)
# A probe with a limit below fails the script (exit 1, after every line is printed) when
# either compiler takes longer or more memory on it.
set -euo pipefail
cd "$(dirname "$0")/.."

# probe -> "seconds MiB" it must stay within, per translation unit and compiler.
declare -A limits=(
    [compile_residual60]="10 1024"
)

failed=0
for compiler in g++ clang++; do
    for probe in compile_lenet compile_deep40 compile_residual60; do
        out=$(mktemp)
        /usr/bin/time -f '%e %M' -o "$out.time" \
            "$compiler" -std=c++20 -O2 -Iinclude "benchmarks/$probe.cpp" -o "$out"
        read -r seconds kib <"$out.time"
        mib=$((kib / 1024))
        verdict=""
        if [[ -n "${limits[$probe]:-}" ]]; then
            read -r max_seconds max_mib <<<"${limits[$probe]}"
            if awk -v s="$seconds" -v m="$max_seconds" 'BEGIN { exit !(s > m) }' || ((mib > max_mib)); then
                verdict="  OVER LIMIT (${max_seconds} s, ${max_mib} MiB)"
                failed=1
            else
                verdict="  (limit ${max_seconds} s, ${max_mib} MiB)"
            fi
        fi
        printf '%-8s %-18s %6.1f s %7.0f MiB%s\n' "$compiler" "$probe" "$seconds" "$mib" "$verdict"
        rm -f "$out" "$out.time"
    done
done
exit "$failed"
