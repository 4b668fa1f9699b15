#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan, assertions on) into
# build-fuzz/ and runs each for a bounded time on a copy of its committed corpus and
# regression inputs, printing per target: executions, executions per second, inputs
# that added coverage, and crashes.
#   tools/fuzz.sh [--save] [SECONDS_PER_TARGET] [TARGET...]
# SECONDS_PER_TARGET defaults to 60; TARGETs default to all of them (frame_decoder,
# worker_frame, client_frame, replay_csv). The committed corpus is left alone unless
# --save is given: then the inputs that added coverage are merged back into
# tests/fuzz/corpus/TARGET (-merge=1 keeps only those that add to what is there).
# Exits non-zero if any target crashed, leaked, timed out or ran out of memory; the
# input that did so is kept in tests/fuzz/findings/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
all_targets=(frame_decoder worker_frame client_frame replay_csv)

save=0
if [ "${1:-}" = "--save" ]; then
  save=1
  shift
fi
seconds=60
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  [ -d "$root/tests/fuzz/corpus/$target" ] || { echo "fuzz: no target '$target' (${all_targets[*]})" >&2; exit 2; }
done

"$root/tools/setup.sh"

build=$root/build-fuzz
findings=$root/tests/fuzz/findings
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DMXGW_FUZZ=ON -DMXGW_BENCH=OFF -DMXGW_WERROR=ON >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"

symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=()
printf '%-14s %12s %10s %12s %s\n' target executions exec/s new-inputs result
for target in "${targets[@]}"; do
  corpus=$work/$target
  mkdir -p "$corpus"
  cp "$root/tests/fuzz/corpus/$target"/* "$corpus"/
  regressions=$root/tests/fuzz/regressions/$target
  [ -d "$regressions" ] && cp "$regressions"/* "$corpus"/ 2>/dev/null || true
  log=$work/$target.log
  status=0
  # New inputs go into the copy (the first directory); crashes into findings/.
  (cd "$work" && "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/$target-" "$corpus") >"$log" 2>&1 || status=$?
  executions=$(grep -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' ||
               grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  rate=$(grep -o '^stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '-')
  added=$(grep -o '^stat::new_units_added: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '-')
  if [ $status -eq 0 ]; then
    result=ok
  else
    artifact=$(grep -o "Test unit written to .*" "$log" | tail -1 | sed 's/Test unit written to //')
    result="FAILED (exit $status): ${artifact:-see log}"
    failed+=("$target")
    grep -E 'ERROR|runtime error|expectation failed|Assertion' "$log" | head -5 >&2 || true
    cp "$log" "$findings/$target.log"
  fi
  printf '%-14s %12s %10s %12s %s\n' "$target" "${executions:--}" "$rate" "$added" "$result"
  if [ $save -eq 1 ] && [ $status -eq 0 ]; then
    "$build/tests/fuzz/fuzz_$target" -merge=1 "$root/tests/fuzz/corpus/$target" "$corpus" >"$log.merge" 2>&1
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${failed[*]} failed; inputs and logs in $findings" >&2
  exit 1
fi
