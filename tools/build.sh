#!/usr/bin/env bash
# Configures and builds mxgw into a build directory.
#   tools/build.sh [BUILD_DIR] [extra cmake arguments...]
# BUILD_DIR defaults to build/. Warnings are errors. Extra arguments go to cmake,
# e.g. -DMXGW_SANITIZE=thread.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$root/build}
shift || true
cmake -S "$root" -B "$build_dir" -G Ninja -DMXGW_WERROR=ON "$@" >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
