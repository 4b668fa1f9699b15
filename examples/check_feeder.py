#!/usr/bin/env python3
"""Runs a historian feeder (the C or the Python example) and checks its CSV: the
header, every row well formed, sequence numbers consecutive, as many rows as asked.

    check_feeder.py MODE CSV ROWS PROGRAM [ARGS...]

MODE is "embedded", or "remote" to use the gateway in $MXGW_TARGET (as exported by
tools/with-daemon.sh). The feeder runs as `PROGRAM [ARGS...] TARGET CSV 60 ROWS`:
collecting ROWS rows, or at most 60 s. Exits 0 when the feeder exited 0 and the CSV
is right; otherwise prints what was wrong and exits 1."""

import csv
import os
import re
import subprocess
import sys

HEADER = ["seq", "item", "value", "quality", "source_time", "worker_time"]
ITEM = re.compile(r"Tank_\d{3}\.(Level|Temperature|HighAlarm|Product)$")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]\d+)?$")


def row_problem(row):
    """What is wrong with one data row, or None."""
    if len(row) != len(HEADER):
        return "%d fields" % len(row)
    seq, item, value, quality, source_time, worker_time = row
    if not ITEM.match(item):
        return "item %r" % item
    product = item.endswith(".Product")
    if product != (not NUMBER.match(value)):
        return "value %r for %s" % (value, item)
    if not quality.isdigit():
        return "quality %r" % quality
    if not (TIME.match(source_time) and TIME.match(worker_time)):
        return "times %r, %r" % (source_time, worker_time)
    return None


def check_csv(path, rows_wanted):
    """Returns the list of problems found in the CSV at `path`."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        return ["header is %r, not %r" % (rows[0] if rows else None, HEADER)]
    problems = []
    if len(rows) - 1 != rows_wanted:
        problems.append("%d rows, expected %d" % (len(rows) - 1, rows_wanted))
    previous = None
    for line, row in enumerate(rows[1:], start=2):
        problem = row_problem(row)
        if problem is None and previous is not None and int(row[0]) != previous + 1:
            problem = "seq %s after %d" % (row[0], previous)
        if problem:
            problems.append("line %d: %s" % (line, problem))
            if len(problems) > 10:
                break
        elif row:
            previous = int(row[0])
    return problems


def main(argv):
    if len(argv) < 5 or argv[1] not in ("embedded", "remote"):
        sys.exit(__doc__)
    mode, path, rows_wanted, program = argv[1], argv[2], int(argv[3]), argv[4:]
    target = "embedded" if mode == "embedded" else os.environ["MXGW_TARGET"]
    if os.path.exists(path):
        os.remove(path)
    feeder = subprocess.run(program + [target, path, "60", str(rows_wanted)], timeout=120)
    if feeder.returncode != 0:
        print("check_feeder: the feeder exited with %d" % feeder.returncode)
        return 1
    problems = check_csv(path, rows_wanted)
    for problem in problems:
        print("check_feeder: %s: %s" % (path, problem))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
