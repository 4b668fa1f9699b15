#!/usr/bin/env bash
# The whole test suite: installs what is missing, then builds and runs every test
# through ctest three times: an optimised build, ASan+UBSan, and TSan; then fuzzes
# each fuzz target for 15 seconds (tools/fuzz.sh).
# The optimised build also passes the benchmark regression gate (tools/perf-gate.sh).
#   tools/run-tests.sh [--no-sanitizers]
# Exits non-zero if any build or test fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitizers=1
[ "${1:-}" = "--no-sanitizers" ] && sanitizers=0

"$root/tools/setup.sh"
"$root/tools/check-format.sh"

run_suite() {  # NAME BUILD_DIR [cmake args...]
  local name=$1 dir=$2
  shift 2
  echo "== $name: build"
  "$root/tools/build.sh" "$dir" "$@"
  echo "== $name: test"
  ctest --test-dir "$dir" --output-on-failure --parallel "$(nproc)" --timeout 600
}

run_suite release "$root/build"
# Instruction counts of the release build just made, against bench/gate-baseline.json.
echo "== perf gate"
"$root/tools/perf-gate.sh" --build-dir "$root/build"
if [ $sanitizers -eq 1 ]; then
  # halt_on_error makes the first report fail its test instead of scrolling past.
  export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # libuv is not built with TSan and closes descriptors with a raw syscall, so TSan
  # would see a reused descriptor number as a race: interceptors called from
  # uninstrumented libraries are ignored (our own code stays fully checked).
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1:suppressions=$root/tests/tsan.supp"
  run_suite asan+ubsan "$root/build-asan" -DMXGW_SANITIZE=address -DMXGW_BENCH=OFF
  run_suite tsan "$root/build-tsan" -DMXGW_SANITIZE=thread -DMXGW_BENCH=OFF
  # Short and bounded: the corpus replays in every suite above; this looks for new
  # crashes near it, and keeps any it finds in tests/fuzz/findings/.
  echo "== fuzz"
  "$root/tools/fuzz.sh" 15
fi
echo "all suites passed"
