#!/usr/bin/env python3
"""mxgw-bench as scripts use it: a short real run (embedded, or against the daemon
that tools/with-daemon.sh started), its --json document checked field by field,
--compare of two documents, and the exit codes for bad usage.

    check_bench.py MXGW_BENCH embedded|remote|usage
"""
import json
import os
import subprocess
import sys
import tempfile

PERCENTILES = ["count", "p50", "p90", "p99", "p999", "max"]


def fail(message):
    print("check_bench: " + message, file=sys.stderr)
    sys.exit(1)


def run(args, expect):
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != expect:
        fail(f"{' '.join(args)} exited {done.returncode}, expected {expect}\n{done.stdout}\n{done.stderr}")
    return done


def check_document(doc, target):
    for field in ["tool", "version", "mode", "target", "config", "setup_s", "measured_s", "events", "changes",
                  "batches", "events_per_s", "latency_ns", "command_rtt_ns", "loss", "errors", "sessions_open",
                  "subscriptions", "clean"]:
        if field not in doc:
            fail(f"the JSON has no {field}: {doc}")
    if doc["tool"] != "mxgw-bench" or doc["target"] != target:
        fail(f"tool/target: {doc['tool']} {doc['target']}")
    for key in ["sessions", "items", "update_period_ms", "subscribers", "policy", "duration_s", "warmup_s"]:
        if key not in doc["config"]:
            fail(f"config has no {key}")
    for histogram in ["latency_ns", "command_rtt_ns"]:
        for key in PERCENTILES:
            if key not in doc[histogram]:
                fail(f"{histogram} has no {key}")
        h = doc[histogram]
        if not h["count"] > 0 or not 0 < h["p50"] <= h["p90"] <= h["p99"] <= h["p999"] <= h["max"]:
            fail(f"{histogram} is not a set of ordered percentiles: {h}")
    for key in ["missing", "announced", "gap_events", "invalid"]:
        if key not in doc["loss"]:
            fail(f"loss has no {key}")
    if not doc["clean"] or doc["errors"] != 0 or doc["loss"]["missing"] != 0:
        fail(f"the run was not clean: {doc}")
    if doc["sessions_open"] != 2 or doc["subscriptions"] != 4:
        fail(f"sessions/subscriptions: {doc['sessions_open']} {doc['subscriptions']}")
    if doc["events"] <= 0 or doc["changes"] != doc["events"] or doc["events_per_s"] <= 0:
        fail(f"nothing measured: {doc}")


def short_run(bench, target, path):
    args = [bench, "--target", target, "--sessions", "2", "--items", "200", "--period-ms", "5",
            "--subscribers", "2", "--duration", "1.5", "--warmup", "0.5", "--commands-per-s", "50",
            "--no-progress", "--json", path]
    done = run(args, 0)
    if "events/s" not in done.stdout or "latency" not in done.stdout:
        fail("no summary table:\n" + done.stdout)
    with open(path) as f:
        return json.load(f)


def main():
    bench, mode = sys.argv[1], sys.argv[2]
    if mode == "usage":
        run([bench, "--policy", "sometimes"], 2)
        run([bench, "--target", "tcp://127.0.0.1:1"], 2)  # no key
        run([bench, "--target", "tcp://127.0.0.1:1", "--key", "mxgw_x", "--no-progress"], 3)
        run([bench, "--help"], 0)
        return
    target = "embedded" if mode == "embedded" else os.environ["MXGW_TARGET"]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
        check_document(short_run(bench, target, a), target)
        short_run(bench, target, b)
        compared = run([bench, "--compare", a, b], 0).stdout
        for metric in ["events/s", "latency p99", "command p50", "lost events"]:
            if metric not in compared:
                fail(f"--compare shows no {metric}:\n{compared}")
        with open(os.path.join(tmp, "other.json"), "w") as f:
            f.write('{"tool": "something else"}')
        run([bench, "--compare", a, os.path.join(tmp, "other.json")], 2)


main()
