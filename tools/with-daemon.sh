#!/usr/bin/env bash
# Runs a command against a fresh `mxgw serve`: a private directory, a generated
# admin key and client key, the daemon on free loopback ports (and a Unix socket),
# then the command with these in its environment:
#   MXGW_TARGET       tcp://127.0.0.1:PORT      MXGW_UNIX_TARGET  unix:///…/mxgw.sock
#   MXGW_CLIENT_KEY   a client key              MXGW_ADMIN_KEY    an admin key
#   MXGW_ADMIN        127.0.0.1:PORT (admin HTTP)   MXGW_DAEMON_PID  the daemon's pid
# Afterwards the daemon gets SIGTERM and must exit 0. The exit status is the
# command's, or the daemon's failure when the command succeeded.
#   tools/with-daemon.sh [--bin DIR] [--log FILE] [-- daemon flags --] COMMAND [ARGS...]
# DIR holds mxgw and mxgw-worker (default: build/bin). Daemon flags go between two
# `--` markers, e.g.  tools/with-daemon.sh -- --max-sessions 64 -- mxgw-bench …
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/build/bin"
log=""
daemon_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --) shift
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do daemon_flags+=("$1"); shift; done
        [ $# -gt 0 ] || { echo "with-daemon: daemon flags need a closing --" >&2; exit 2; }
        shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: with-daemon.sh [--bin DIR] [--log FILE] [-- daemon flags --] COMMAND [ARGS...]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/mxgw-daemon.XXXXXX")
daemon=""
cleanup() {
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then kill -KILL "$daemon" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
log=${log:-$dir/mxgw.log}

MXGW_ADMIN_KEY=$("$bin/mxgw" keys add --file "$dir/mxgw.keys" --role admin operator)
MXGW_CLIENT_KEY=$("$bin/mxgw" keys add --file "$dir/mxgw.keys" --role client feeder)
"$bin/mxgw" serve --keys "$dir/mxgw.keys" --tcp 127.0.0.1:0 --admin 127.0.0.1:0 --unix "$dir/mxgw.sock" \
  --runtime-parent "$dir" "${daemon_flags[@]}" >"$log" 2>&1 &
daemon=$!

# The daemon logs where it listens once it does; wait for that, with a deadline.
deadline=$((SECONDS + 30))
until grep -qs "serving with" "$log"; do
  if ! kill -0 "$daemon" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
    echo "with-daemon: mxgw serve did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.05
done
tcp=$(grep -o 'clients: tcp://[^ ]*' "$log" | head -1 | sed 's/^clients: //')
admin=$(grep -o 'admin: http://[^ ]*' "$log" | head -1 | sed 's|^admin: http://||')
export MXGW_TARGET=$tcp MXGW_UNIX_TARGET="unix://$dir/mxgw.sock" MXGW_ADMIN=$admin MXGW_DAEMON_PID=$daemon
export MXGW_CLIENT_KEY MXGW_ADMIN_KEY

status=0
"$@" || status=$?

kill -TERM "$daemon"
daemon_status=0
wait "$daemon" || daemon_status=$?
daemon=""
if [ $daemon_status -ne 0 ]; then
  echo "with-daemon: mxgw serve exited with status $daemon_status:" >&2
  tail -20 "$log" >&2
  [ $status -ne 0 ] || status=$daemon_status
fi
exit $status
