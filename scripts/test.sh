#!/usr/bin/env bash
# Builds and tests typenet: for each preset configure, build, compile every public header on its
# own (gcc, clang) and run CTest; then the fuzz targets for a bounded time. Prints each stage's
# time and result at the end. Knobs:
#   TYPENET_PRESETS="gcc clang asan"   which presets (asan: the unit suite under ASan + UBSan)
#   TYPENET_FUZZ_SECONDS=60            per fuzz target; 0 skips fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a presets <<<"${TYPENET_PRESETS:-gcc clang asan}"
fuzz_seconds=${TYPENET_FUZZ_SECONDS:-60}

stages=()       # "name  result  seconds", for the summary
failures=0
tests_passed=0
tests_failed=0

stage() {  # stage <name> <command...>: runs and times one stage; returns its status
    local name=$1 start=$SECONDS status=0
    shift
    echo
    echo "==== $name: $*"
    "$@" || status=$?
    local result=ok
    if ((status != 0)); then
        result=FAILED
        failures=$((failures + 1))
    fi
    stages+=("$(printf '%-22s %-7s %5d s' "$name" "$result" $((SECONDS - start)))")
    return $status
}

ctest_logged() {  # ctest_logged <preset>: CTest, its output kept for counting
    ctest --preset "$1" 2>&1 | tee "build/$1/ctest.log"
    return "${PIPESTATUS[0]}"
}

count_tests() {  # adds CTest's closing line ("95% tests passed, 1 tests failed out of 20") to the totals
    local line failed total
    line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n 1) || return 0
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
    total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    tests_failed=$((tests_failed + failed))
    tests_passed=$((tests_passed + total - failed))
}

stage "install-deps" ./scripts/install-deps.sh

for preset in "${presets[@]}"; do
    rm -f "build/$preset/ctest.log"
    stage "$preset configure" cmake --preset "$preset" || continue
    stage "$preset build" cmake --build --preset "$preset" || continue
    if [[ $preset != asan ]]; then
        # Runs even if the tests fail, and the reverse: neither should hide the other.
        stage "$preset headers" cmake --build --preset "$preset" --target all_verify_interface_header_sets || true
    fi
    stage "$preset ctest" ctest_logged "$preset" || true
    count_tests "build/$preset/ctest.log"
done

if ((fuzz_seconds > 0)); then
    if command -v clang++ >/dev/null; then
        stage "fuzz (${fuzz_seconds} s each)" ./scripts/fuzz.sh "$fuzz_seconds" || true
    else
        stages+=("fuzz                   skipped (no clang++)")
    fi
fi

echo
echo "==== summary (stage, result, time)"
printf '  %s\n' "${stages[@]}"
echo "  total                         $SECONDS s"
echo "tests: $tests_passed passed, $tests_failed failed"
((failures == 0))
