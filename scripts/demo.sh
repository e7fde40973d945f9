#!/usr/bin/env bash
# The demo: fetches MNIST, builds the three MNIST examples optimised for this machine, trains them
# and says where the reports are. Extra arguments go to every example (e.g. --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/fetch-mnist.sh

cmake --preset release
cmake --build --preset release --target mnist_seed mnist_lenet mnist_resnet

# The seed network as the seed framework ran it: a sanity check first, previews every tenth of the epoch.
build/release/examples/mnist_seed --data data/mnist --out out/seed --sanity --preview 0.1 "$@"
build/release/examples/mnist_lenet --data data/mnist --out out/lenet --preview 0.5 "$@"
# The residual network on a short schedule (about a minute and a half); its defaults, about twelve minutes
# of training, reach the accuracy in the README.
build/release/examples/mnist_resnet --data data/mnist --out out/resnet --epochs 2 "$@"

echo
echo "Outputs (open the report.html files in a browser):"
for dir in out/seed out/lenet out/resnet; do
    find "$dir" -maxdepth 1 -type f | sort
done
