#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp, Clang with ASan + UBSan) and runs each one
# for SECONDS (default 60) from a seed corpus of valid files. A crash, a sanitizer report or a
# broken invariant (the targets trap) fails the run. The corpus grows in build/fuzz/corpus/ and
# is kept between runs; any crashing input is kept in build/fuzz/crashes/.
#   ./scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

build=build/fuzz
corpus=$build/corpus
mkdir -p "$build/crashes"
"$build/tests/make_fuzz_corpus" "$build/seeds"

status=0
for target in "$build"/tests/*_fuzz; do
    name=$(basename "$target")
    mkdir -p "$corpus/$name"
    echo "==== fuzz $name for ${seconds} s"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a loader must not balloon
    # on a header that claims huge sizes.
    if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$build/crashes/$name-" "$corpus/$name" "$build/seeds/$name" 2>"$build/$name.log"; then
        tail -n 60 "$build/$name.log"
        echo "fuzz: $name FAILED (log: $build/$name.log, inputs: $build/crashes/)"
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$build/$name.log" | tail -n 2 || true
    fi
done
exit $status
