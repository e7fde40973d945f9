#!/usr/bin/env bash
# Builds examples/embed the two ways users get typenet (find_package after `cmake --install`, and
# add_subdirectory), runs it on the host, and cross-builds it for an Arm Cortex-M4 that runs in
# QEMU (mps2-an386): digits classified from flash, the last layer fine-tuned, no heap, and the
# image's flash and RAM (arm-none-eabi-size). Installs the Arm toolchain and QEMU if missing
# (as root). Idempotent; everything it writes is under build/embed/.
#   ./scripts/embed.sh            host and cortex_m4
#   ./scripts/embed.sh host       one of them
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a platforms <<<"${*:-host cortex_m4}"
work=build/embed

start=$SECONDS
# The Arm toolchain and QEMU are among typenet's packages (install-deps.sh lists why).
./scripts/install-deps.sh
toolchain_seconds=$((SECONDS - start))

# typenet itself, configured only to be installed: the package under test.
rm -rf "$work"
cmake -S . -B "$work/typenet" -G Ninja -DTYPENET_BUILD_TESTS=OFF -DTYPENET_BUILD_EXAMPLES=OFF \
      -DTYPENET_BUILD_BENCHMARKS=OFF -DTYPENET_INSTALL=ON >/dev/null
cmake --install "$work/typenet" --prefix "$work/prefix" >/dev/null

for platform in "${platforms[@]}"; do
    echo "==== embed.$platform"
    cmake -DPLATFORM="$platform" -DSOURCE_DIR="$PWD" -DWORK_DIR="$PWD/$work/$platform" \
          -DPREFIX="$PWD/$work/prefix" -DGENERATOR=Ninja -P cmake/EmbedTest.cmake
done
echo "embed: passed in $((SECONDS - start)) s ($toolchain_seconds s of it installing packages)"
