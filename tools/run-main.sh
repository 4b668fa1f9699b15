#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the gateway daemon
# (`mxgw serve`, sim backend) with freshly generated admin and client keys on free
# loopback ports, runs the mxgw-bench load generator against it over TCP with a
# live progress line, prints the summary, and stops the daemon cleanly (SIGTERM:
# every session closed, exit 0).
#   tools/run-main.sh [mxgw-bench options...]
# Options replace the defaults below where they repeat them (see mxgw-bench --help),
# e.g.  tools/run-main.sh --sessions 16 --items 1000 --duration 30
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh" "$root/build"

# mxgw-bench reads the client key from $MXGW_CLIENT_KEY, which with-daemon.sh sets.
exec "$root/tools/with-daemon.sh" --bin "$root/build/bin" \
  bash -c 'exec "$0" --target "$MXGW_TARGET" --sessions 4 --items 5000 --period-ms 1 --duration 10 --warmup 2 "$@"' \
  "$root/build/bin/mxgw-bench" "$@"
