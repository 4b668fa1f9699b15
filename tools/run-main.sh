#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the benchmark suite that
# exists so far, printing each result as it completes and a summary at the end:
#   - one real `sim` worker streaming into its connection (changes/s per generator),
#   - the SPSC ring against moodycamel::ReaderWriterQueue,
#   - the frame decoder and verifier.
# Extra arguments go to every benchmark binary (e.g. --benchmark_filter=Counter).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh" "$root/build"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for bench in bench_worker_throughput bench_ring bench_decoder; do
  echo "== $bench"
  "$root/build/bench/$bench" --benchmark_counters_tabular=true \
    --benchmark_out="$out/$bench.json" --benchmark_out_format=json "$@"
done

echo
echo "== summary"
python3 - "$out" <<'PY'
import json, pathlib, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    for b in json.loads(path.read_text())["benchmarks"]:
        rates = {k: v for k, v in b.items()
                 if isinstance(v, (int, float)) and (k.endswith("_per_s") or k.endswith("/s") or k.endswith("_per_second"))}
        shown = ", ".join(f"{k} {v/1e6:,.1f}M" for k, v in rates.items())
        print(f"{b['name']:<60} {shown}")
PY
