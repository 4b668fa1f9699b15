#!/usr/bin/env bash
# Load and soak: many concurrent sessions streaming through a real daemon for a
# bounded time, with the daemon's and its workers' memory sampled as it runs.
#   tools/soak.sh [--sessions N] [--items N] [--period-ms MS] [--duration S]
#                 [--sample-s S] [--max-growth-percent P] [--bin DIR]
# Defaults: 1000 sessions × 50 items changing every 100 ms (500 k changes/s) for
# 300 s, memory sampled every 10 s. It prints the memory table and mxgw-bench's
# summary, and fails when mxgw-bench reports any loss, invalid change or error, when
# the daemon does not stop cleanly, or when the daemon's resident memory grew by
# more than P percent (default 20) across the measured window: the lowest sample of
# its last third against the highest of its first third, so that allocator noise
# does not count and a leak (steady growth under a steady load) does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sessions=1000 items=50 period_ms=100 duration=300 sample_s=10 max_growth=20 bin="$root/build/bin"
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) sessions=$2 ;;
    --items) items=$2 ;;
    --period-ms) period_ms=$2 ;;
    --duration) duration=$2 ;;
    --sample-s) sample_s=$2 ;;
    --max-growth-percent) max_growth=$2 ;;
    --bin) bin=$2 ;;
    *) echo "soak: unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
  shift 2
done
export SOAK_SESSIONS=$sessions SOAK_ITEMS=$items SOAK_PERIOD_MS=$period_ms SOAK_DURATION=$duration
export SOAK_SAMPLE_S=$sample_s SOAK_MAX_GROWTH=$max_growth SOAK_BIN=$bin
replay_events=$(( items * 2000 / period_ms + 1 ))
TMPDIR_SOAK=$(mktemp -d "${TMPDIR:-/tmp}/mxgw-soak.XXXXXX")
export TMPDIR_SOAK
trap 'rm -rf "$TMPDIR_SOAK"' EXIT

# A replay window of two seconds per session: it fills during the warm-up, so that
# what grows afterwards is not the window.
"$root/tools/with-daemon.sh" --bin "$bin" -- --max-sessions "$((sessions + 16))" \
  --replay-window-events "$replay_events" -- bash -c '
set -euo pipefail
mib() { awk -v kib="$1" "BEGIN { printf \"%.1f\", kib / 1024 }"; }
rss_kib() { awk "/^VmRSS:/ {print \$2}" "/proc/$1/status" 2>/dev/null || echo 0; }
workers_kib() {
  local total=0 pid
  for pid in $(pgrep -P "$MXGW_DAEMON_PID" || true); do total=$((total + $(rss_kib "$pid"))); done
  echo $total
}
"$SOAK_BIN/mxgw-bench" --target "$MXGW_TARGET" --sessions "$SOAK_SESSIONS" --items "$SOAK_ITEMS" \
  --period-ms "$SOAK_PERIOD_MS" --duration "$SOAK_DURATION" --warmup 5 --no-progress --json "$TMPDIR_SOAK/soak.json" \
  > "$TMPDIR_SOAK/summary.txt" 2>&1 &
bench=$!
printf "%8s %10s %8s %14s\n" "time s" "daemon MiB" "workers" "workers MiB"
# Samples inside the measured window only: after the warm-up (the replay windows are
# full by then), and not during the closing at the end.
start=$SECONDS window=()
while kill -0 $bench 2>/dev/null; do
  elapsed=$((SECONDS - start))
  daemon=$(rss_kib "$MXGW_DAEMON_PID") workers=$(pgrep -c -P "$MXGW_DAEMON_PID" || true)
  printf "%8d %10s %8s %14s\n" $elapsed "$(mib "$daemon")" "${workers:-0}" "$(mib "$(workers_kib)")"
  if [ "${workers:-0}" -ge "$SOAK_SESSIONS" ] && [ $elapsed -ge 7 ] && [ $elapsed -le $((SOAK_DURATION + 4)) ]; then
    window+=("$daemon")
  fi
  sleep "$SOAK_SAMPLE_S" & wait $! || true
done
status=0
wait $bench || status=$?
cat "$TMPDIR_SOAK/summary.txt"
n=${#window[@]}
if [ $n -ge 3 ]; then
  third=$(( n / 3 ))
  early=$(printf "%s\n" "${window[@]:0:$third}" | sort -n | tail -1)
  late=$(printf "%s\n" "${window[@]:$((n - third))}" | sort -n | head -1)
  growth=$(( (late - early) * 100 / early ))
  echo "daemon memory: at most ${early} KiB early in the window, at least ${late} KiB late (${growth}% growth, limit ${SOAK_MAX_GROWTH}%)"
  if [ $growth -gt "$SOAK_MAX_GROWTH" ]; then echo "soak: the daemon kept growing" >&2; status=1; fi
else
  echo "soak: too few samples in the measured window to judge memory" >&2
  status=1
fi
exit $status
'
