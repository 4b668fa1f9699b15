#!/usr/bin/env bash
# Installs, from Debian's packages only, whatever mxgw needs to build, test and
# benchmark that is not installed yet. Safe to run again: it does nothing when all is
# present. Uses sudo when not run as root.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git python3
  # the formatting check (tools/check-format.sh)
  clang-format
  # engine dependencies
  libuv1-dev libflatbuffers-dev flatbuffers-compiler libconcurrentqueue-dev libmimalloc-dev
  libcli11-dev
  # daemon: key hashing (libsodium), admin HTTP server (libmicrohttpd), JSON (nlohmann)
  libsodium-dev libmicrohttpd-dev nlohmann-json3-dev
  # daemon: config file (toml++), leveled logs (spdlog)
  libtomlplusplus-dev libspdlog-dev
  # mxgwctl: the admin port's HTTP client (libcurl)
  libcurl4-openssl-dev
  # tests and benchmarks (prometheus: promtool checks the metrics text; nats-server and
  # libnats-dev: the NATS reference of the fan-out benchmark)
  libgtest-dev libgmock-dev libbenchmark-dev libreaderwriterqueue-dev prometheus
  nats-server libnats-dev
  # the regression gate (tools/perf-gate.sh): callgrind, and valgrind/callgrind.h
  valgrind
  # fuzzing (tools/fuzz.sh): clang 14, its libFuzzer and sanitizer runtimes
  # (libclang-rt-14-dev), and llvm-symbolizer for readable reports (llvm-14)
  clang libclang-rt-14-dev llvm-14
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
