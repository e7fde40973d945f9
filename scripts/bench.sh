#!/usr/bin/env bash
# typenet beside PyTorch, in one run on this machine: the same networks, shapes, losses and
# optimizers, each side on one thread pinned to one core; then one Markdown table of absolute
# figures and ratios, with the machine, the compiler and its flags, the core's measured FP32 peak
# and the compile cost. Printed at the end and written to build/release/bench.md.
#
#   ./scripts/bench.sh                         # about 2 minutes once built, half of it compile timings
#   TYPENET_BENCH_QUICK=1 ./scripts/bench.sh   # short runs: checks that it all works, not a measurement
#
# Figures taken while something else runs on the machine are not worth comparing: only figures
# of one run compare, and a quiet machine gives the ones worth quoting.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
export TYPENET_BENCH_QUICK=${TYPENET_BENCH_QUICK:-0}

./scripts/install-deps.sh

# Debian's python3-torch, for Debian's python3: a pyenv or venv `python3` may come first in PATH.
python=/usr/bin/python3
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "bench: PyTorch is missing; installing python3-torch"
    if ((EUID == 0)); then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch || true
    fi
fi
pytorch=yes
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "bench: PyTorch is not available (apt-get install python3-torch, as root); the PyTorch column stays empty" >&2
    pytorch=no
fi

cmake --preset release >/dev/null
cmake --build --preset release --target bench_runner fma_peak

# One core for every measurement, the same for both sides; core 1, since the system tends to
# put its own work on core 0.
pin=()
if command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null; then
    pin=(taskset -c 1)
fi
load=$(cut -d' ' -f1-3 /proc/loadavg)

echo "bench: FP32 peak of one core"
"${pin[@]}" "$build/benchmarks/fma_peak" | tee "$build/bench-peak.txt"
echo "bench: typenet"
"${pin[@]}" "$build/benchmarks/bench_runner" | tee "$build/bench-typenet.txt"
echo "bench: typenet on every core (not pinned)"
"$build/benchmarks/bench_runner" --multicore | tee "$build/bench-multicore.txt"
: >"$build/bench-pytorch.txt"
if [[ $pytorch == yes ]]; then
    echo "bench: PyTorch"
    # One thread: set_num_threads(1) in the script, and no OpenMP pool to begin with.
    OMP_NUM_THREADS=1 "${pin[@]}" "$python" benchmarks/pytorch_bench.py | tee "$build/bench-pytorch.txt"
fi

echo "bench: compile cost"
# Compiler warnings go to a log: the table keeps the figures.
compile_log=$build/bench-compile.log
compile_report=$(benchmarks/compile_time.sh 2>"$compile_log") ||
    compile_report+=$'\n'"(compile_time.sh failed or a probe is over its limit: see $compile_log)"
# The LeNet-5 example (its network, training loop and previews) and the examples' support units
# it links (command line, MNIST, report, PyTorch import), each compiled only: linking would need
# their libraries, and compiling is what costs. The limit is per translation unit.
for compiler in g++ clang++; do
    for unit in examples/mnist_lenet.cpp examples/support/command_line.cpp examples/support/mnist_files.cpp \
        examples/support/pytorch_import.cpp; do
        object=$(mktemp)
        name=$(basename "$unit" .cpp)
        if /usr/bin/time -f '%e %M' -o "$object.time" "$compiler" -std=c++20 -O2 -Iinclude -c "$unit" \
            -o "$object" 2>>"$compile_log"; then
            read -r seconds kib <"$object.time"
            verdict="limit 20 s, 1024 MiB"
            if awk -v s="$seconds" 'BEGIN { exit !(s > 20) }' || ((kib / 1024 > 1024)); then
                verdict="OVER LIMIT: 20 s, 1024 MiB"
            fi
            compile_report+=$(printf '\n%-8s %-18s %6.1f s %7.0f MiB  (%s, compiled only; %s)' \
                "$compiler" "$name" "$seconds" $((kib / 1024)) "$unit" "$verdict")
        else
            compile_report+=$'\n'"$compiler $unit: does not compile"
        fi
        rm -f "$object" "$object.time"
    done
done

# Every figure as fig[<side>.<key>], e.g. fig[typenet.seed_train].
declare -A fig
read_figures() {  # read_figures <side> <file of key=value lines>
    local key value
    while IFS='=' read -r key value; do fig["$1.$key"]=$value; done <"$2"
}
read_figures typenet "$build/bench-typenet.txt"
read_figures pytorch "$build/bench-pytorch.txt"
read_figures peak "$build/bench-peak.txt"
read_figures multicore "$build/bench-multicore.txt"

# An awk function for the tables: 12345.6 -> 12,346.
awk_group='
    function group(x,   s, out) {
        s = sprintf("%.0f", x)
        for (out = ""; length(s) > 3; s = substr(s, 1, length(s) - 3)) out = "," substr(s, length(s) - 2) out
        return s out
    }'
# row <label> <key> <unit> <higher|lower> [typenet note] [PyTorch note]: one line of the table.
# The last column is how many times faster typenet is: for a time, PyTorch's over typenet's.
row() {
    awk -v label="$1" -v t="${fig[typenet.$2]:-}" -v p="${fig[pytorch.$2]:-}" -v unit="$3" -v better="$4" \
        -v tnote="${5:-}" -v pnote="${6:-}" "$awk_group"'
        function cell(x, note) { return x == "" ? "n/a" : (x >= 100 ? group(x) : sprintf("%.2f", x)) " " unit note }
        BEGIN {
            ratio = (t == "" || p == "") ? "n/a" : sprintf("**%.2fx**", better == "higher" ? t / p : p / t)
            printf "| %s | %s | %s | %s |\n", label, cell(t, tnote), cell(p, pnote), ratio
        }'
}
# scaling <label> <key> <unit>: one row of the threads table, from <key>_1 and <key>_n.
scaling() {
    awk -v label="$1" -v one="${fig[multicore.$2_1]:-}" -v all="${fig[multicore.$2_n]:-}" -v unit="$3" "$awk_group"'
    BEGIN {
        if (one == "" || all == "") { printf "| %s | n/a | n/a | n/a |\n", label; exit }
        printf "| %s | %s %s | %s %s | **%.2fx** |\n", label, group(one), unit, group(all), unit, all / one
    }'
}
# need <label> <target ratio> <key> <flops key> [latency]: the share of the core's peak that the
# target asks of typenet (its ratio times PyTorch's rate, in FLOPs), beside the shares both reach.
need() {
    awk -v label="$1" -v target="$2" -v t="${fig[typenet.$3]:-}" -v p="${fig[pytorch.$3]:-}" \
        -v flops="${fig[pytorch.$4]:-}" -v peak="$peak_gflops" -v latency="${5:-}" 'BEGIN {
        if (t == "" || p == "" || flops == "" || peak == "") { printf "| %s | %sx | n/a | n/a | n/a |\n", label, target; exit }
        if (latency != "") { t = 1e6 / t; p = 1e6 / p }  # microseconds to samples/s
        share = flops / 1e9 / peak * 100
        printf "| %s | %sx | **%s** | %s | %s |\n", label, target, pct(target * p * share), pct(t * share), pct(p * share)
    }
    function pct(x) { return sprintf(x < 10 ? "%.1f%%" : "%.0f%%", x) }'
}
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.0f%%", 100 * a / b }'; }

if [[ ${#pin[@]} -gt 0 ]]; then pinned="pinned to core 1 (taskset -c 1)"; else pinned="not pinned (no taskset)"; fi
cpu_field() { sed -n "s/^$1[[:space:]]*: //p" /proc/cpuinfo | head -1; }
cpu="$(cpu_field 'model name'), family $(cpu_field 'cpu family') model $(cpu_field model)"
simd=$(grep -o -w -E 'avx512f|avx2|fma|sse4_2' /proc/cpuinfo | sort -u | xargs)
flags=$(grep -o '"command": "[^"]*bench_runner.cpp[^"]*"' "$build/compile_commands.json" |
    tr ' ' '\n' | grep -E '^-(O|m|f|std|D|W)' | xargs)
peak_gflops=${fig[peak.fma_peak_gflops]:-}
conv_t=${fig[typenet.lenet_conv_gflops]:-}
conv_p=${fig[pytorch.lenet_conv_gflops]:-}
share() { awk -v s="${1:-}" 'BEGIN { if (s != "") printf ", %.0f%% of the pass", 100 * s }'; }

{
    echo "## typenet beside PyTorch (scripts/bench.sh$([[ $TYPENET_BENCH_QUICK == 1 ]] && echo ', TYPENET_BENCH_QUICK=1: short runs'))"
    echo
    echo "Medians of several runs after a warm-up, random 28x28 inputs, one thread each, $pinned."
    echo
    echo "| benchmark | typenet | PyTorch | typenet speed-up |"
    echo "|---|---|---|---|"
    row "seed network training, batch 1, MSE, SGD 0.01 (conv) + Adam 0.01 (dense)" seed_train samples/s higher
    row "LeNet-5 inference latency, batch 1 (median)" lenet_latency_us µs lower
    row "LeNet-5 inference, batch 256 (typenet: ${fig[typenet.lenet_b256_path]:-n/a})" lenet_b256 images/s higher
    row "LeNet-5's convolutions in that pass, each timed alone (${fig[typenet.lenet_conv_mflop_per_image]:-?} MFLOP per image)" \
        lenet_conv_gflops GFLOP/s higher \
        " ($(percent "$conv_t" "$peak_gflops") of peak$(share "${fig[typenet.lenet_conv_share]:-}"))" \
        " ($(percent "$conv_p" "$peak_gflops") of peak$(share "${fig[pytorch.lenet_conv_share]:-}"))"
    row "LeNet-5 training, batch 32, softmax cross-entropy, Adam 1e-3" lenet_train32 samples/s higher
    row "residual network (examples/mnist_resnet.cpp) training, batch 64, softmax cross-entropy, Adam 1e-3" \
        resnet_train64 samples/s higher
    echo
    threads=${fig[multicore.threads]:-?}
    echo "typenet on every core ($threads threads, not pinned; the same work on 1 thread in the same run):"
    echo
    echo "| benchmark | 1 thread | $threads threads | speed-up |"
    echo "|---|---|---|---|"
    scaling "LeNet-5 training, batch 64, Adam" lenet_train64 samples/s
    scaling "LeNet-5 inference, batch 256, batched forward" lenet_b256_batched images/s
    scaling "residual network training, batch 64, Adam" resnet_train64 samples/s
    echo
    echo "What each target asks of this core: FLOPs of a sample through the convolutions and dense layers"
    echo "(counted by benchmarks/pytorch_bench.py from the PyTorch copies; training adds backward's two"
    echo "products) times the rate the target asks for, as a share of the measured peak; beside it the"
    echo "shares both sides reach now. The convolutions timed alone (above) show what this core's best"
    echo "kernels reach; a target that asks for more over a whole pass, whose pools, normalisations and"
    echo "optimizer steps do no multiply-adds, is beyond this machine."
    echo
    echo "| target | ratio | needs | typenet now | PyTorch now |"
    echo "|---|---|---|---|---|"
    need "seed network training, batch 1" 60 seed_train flops_seed_train
    need "LeNet-5 inference latency, batch 1" 19 lenet_latency_us flops_lenet_infer latency
    need "LeNet-5 inference, batch 256" 11 lenet_b256 flops_lenet_infer
    need "LeNet-5 training, batch 32" 5 lenet_train32 flops_lenet_train
    need "residual network training, batch 64" 3 resnet_train64 flops_resnet_train
    echo
    echo "Both ways of typenet's batch-256 pass: Inference::predict over 256 images" \
        "${fig[typenet.lenet_b256_predict_loop]:-n/a} images/s, batched forward in inference mode" \
        "${fig[typenet.lenet_b256_batched]:-n/a} images/s."
    echo "Same networks on both sides, parameters counted as typenet does (BatchNorm's running statistics included):" \
        "seed ${fig[typenet.params_seed]:-?} / ${fig[pytorch.params_seed]:-n/a}," \
        "LeNet-5 ${fig[typenet.params_lenet]:-?} / ${fig[pytorch.params_lenet]:-n/a}," \
        "residual ${fig[typenet.params_resnet]:-?} / ${fig[pytorch.params_resnet]:-n/a} (typenet / PyTorch)."
    echo
    echo "- CPU: $cpu ($(nproc) cores online; $simd); load average before the run: $load"
    echo "- FP32 peak of one core, measured: ${peak_gflops:-n/a} GFLOP/s (${fig[peak.fma_peak_how]:-}, best of 5 runs of 0.3 s)"
    changes=$(git status --porcelain -- include 2>/dev/null || true)
    echo "- typenet: commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')${changes:+ with uncommitted changes under include/};" \
        "$(g++ --version | head -1); flags: $flags"
    if [[ $pytorch == yes ]]; then
        echo "- PyTorch: ${fig[pytorch.torch_version]:-?} from $python, ${fig[pytorch.torch_threads]:-?} thread," \
            "oneDNN (mkldnn, its convolutions) ${fig[pytorch.torch_mkldnn]:-?}, BLAS (its dense layers) ${fig[pytorch.torch_blas]:-?}"
    else
        echo "- PyTorch: not available (install python3-torch); its column is empty"
    fi
    echo
    echo "Compile cost, wall time and peak memory of one translation unit at -O2 (benchmarks/compile_time.sh):"
    echo
    echo '```'
    echo "$compile_report"
    echo '```'
} >"$build/bench.md"

echo
cat "$build/bench.md"
echo
echo "bench: written to $build/bench.md"
