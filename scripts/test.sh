#!/usr/bin/env bash
# Builds and tests typenet with each preset: configure, build, compile every public header on its
# own, run CTest. Presets default to "gcc clang"; restrict them with e.g.
#   TYPENET_PRESETS=gcc ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

read -r -a presets <<<"${TYPENET_PRESETS:-gcc clang}"

summary=()
failed_steps=()  # of the current preset
tests_passed=0
tests_failed=0

step() {  # step <preset> <name> <command...>: runs the command, records a failure
    local preset=$1 name=$2
    shift 2
    echo
    echo "==== [$preset] $name: $*"
    "$@" || { failed_steps+=("$name"); return 1; }
}

run_ctest() {  # run_ctest <preset> <log>: CTest, its output also kept in <log>
    ctest --preset "$1" 2>&1 | tee "$2"
}

for preset in "${presets[@]}"; do
    failed_steps=()
    log="build/$preset/ctest.log"
    rm -f "$log"
    if step "$preset" configure cmake --preset "$preset" &&
       step "$preset" build cmake --build --preset "$preset"; then
        # Both run even if the other fails: a header that does not compile alone should not
        # hide the test results, nor the reverse.
        step "$preset" headers \
            cmake --build --preset "$preset" --target all_verify_interface_header_sets || true
        step "$preset" ctest run_ctest "$preset" "$log" || true
    fi

    # CTest's closing line: "95% tests passed, 1 tests failed out of 20".
    result=""
    if [[ -f "$log" ]] &&
       line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1); then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
        total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
        tests_failed=$((tests_failed + failed))
        tests_passed=$((tests_passed + total - failed))
        result=" ($line)"
    fi
    if ((${#failed_steps[@]} == 0)); then
        summary+=("$preset: ok$result")
    else
        summary+=("$preset: FAILED at ${failed_steps[*]}$result")
    fi
done

echo
echo "==== summary"
printf '  %s\n' "${summary[@]}"
failures=$(printf '%s\n' "${summary[@]}" | grep -c FAILED || true)
echo "tests: $tests_passed passed, $tests_failed failed"
((failures == 0))
