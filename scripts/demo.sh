#!/usr/bin/env bash
# The demo: fetches MNIST, builds the two MNIST examples optimised for this machine, trains both
# and says where the reports are. Extra arguments go to both examples (e.g. --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/fetch-mnist.sh

cmake --preset release
cmake --build --preset release --target mnist_seed mnist_lenet

# The seed network as the seed framework ran it: a sanity check first, previews every tenth of the epoch.
build/release/examples/mnist_seed --data data/mnist --out out/seed --sanity --preview 0.1 "$@"
build/release/examples/mnist_lenet --data data/mnist --out out/lenet --preview 0.5 "$@"

echo
echo "Outputs (open the report.html files in a browser):"
for dir in out/seed out/lenet; do
    find "$dir" -maxdepth 1 -type f | sort
done
