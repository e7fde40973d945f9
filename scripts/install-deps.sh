#!/usr/bin/env bash
# Installs the Debian packages typenet needs to build, test and run the demo. Idempotent and
# silent when everything is already there; as non-root it only says what is missing.
set -euo pipefail

# libclang-rt-14-dev: the libFuzzer and sanitizer runtimes for scripts/fuzz.sh.
# nlohmann-json3-dev, libzip-dev, xtensor-dev, pkg-config: typenet::pytorch's container formats.
# gcc-arm-none-eabi, libstdc++-arm-none-eabi-newlib, qemu-system-arm: the Cortex-M4 build of
# examples/embed and the emulator that runs it (CTest embed.cortex_m4).
packages=(g++ clang cmake ninja-build libboost-dev libboost-test-dev libfmt-dev gnuplot-nox
          libstb-dev time npm libclang-rt-14-dev nlohmann-json3-dev libzip-dev xtensor-dev pkg-config
          gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm)

installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]] && return 0
    # A nodejs package from outside Debian (nodesource) bundles npm and conflicts with Debian's
    # npm package, so there an npm command is as good as the package.
    [[ $1 == npm ]] && command -v npm >/dev/null
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if ((EUID != 0)); then
    echo "typenet needs these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
