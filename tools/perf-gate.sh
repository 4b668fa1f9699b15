#!/usr/bin/env bash
# The deterministic benchmark regression gate: builds bench_gate in a release build
# (RelWithDebInfo: -O2 -g, no extra flags, warnings as errors), runs each of its
# cases in a valgrind process of its own under callgrind, twice, and compares the
# instructions per op with bench/gate-baseline.json (tools/perf_gate.py).
#   tools/perf-gate.sh [--update-baseline] [--build-dir DIR]
# Exits 1 when a case is more than 3% worse than the baseline, the geometric mean
# more than 1% worse, two runs of a case disagree, or the publish-to-deliver path
# allocates or copies. --update-baseline writes this run's counts as the baseline
# instead; commit it saying why the counts moved. DIR defaults to build-gate/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$root/build-gate
update=()
while [ $# -gt 0 ]; do
  case $1 in
    --update-baseline) update=(--update-baseline) ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
    *) echo "usage: tools/perf-gate.sh [--update-baseline] [--build-dir DIR]" >&2; exit 2 ;;
  esac
  shift
done

# The same flags on every run and in every directory: counts are only comparable
# between builds made alike.
configure=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS= -DCMAKE_C_FLAGS=
           -DMXGW_SANITIZE= -DMXGW_FUZZ=OFF -DMXGW_BENCH=ON -DMXGW_WERROR=ON)
# A directory of its own needs no tests; an existing one keeps its choice.
[ -f "$build_dir/CMakeCache.txt" ] || configure+=(-DMXGW_TESTS=OFF)
cmake -S "$root" -B "$build_dir" "${configure[@]}" >/dev/null
cmake --build "$build_dir" --target bench_gate --parallel "$(nproc)"
exec python3 "$root/tools/perf_gate.py" --binary "$build_dir/bench/bench_gate" \
  --baseline "$root/bench/gate-baseline.json" "${update[@]}"
