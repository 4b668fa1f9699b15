#!/usr/bin/env python3
"""Runs the regression gate's cases under callgrind and compares them with the baseline.

Called by tools/perf-gate.sh, which builds bench_gate first. Each case runs in a
valgrind process of its own, twice, with a fixed environment and argv and address
randomisation off, so that a count depends on the binary alone: the two runs must
agree exactly, and a case that does not is a defect of the case.

Per case: instructions per op (callgrind's Ir total over the measured iterations,
divided by their ops); for cases on the publish-to-deliver path, allocations and
bytes copied per event, which must be zero. Allocations are the calls callgrind saw
into an allocator from outside one; bytes copied come from the case itself.

Fails when a case is more than 3% worse than the baseline, the geometric mean of all
cases more than 1% worse, or any check above fails. --update-baseline writes the
counts of this run as the new baseline instead, after the same checks but for the
comparison.
"""

import argparse
import concurrent.futures
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict

CASE_LIMIT = 0.03
GEOMEAN_LIMIT = 0.01
# Valgrind processes at a time: the machine has two cores, and counts do not depend
# on how busy it is.
PARALLEL_RUNS = 2
RUNS_PER_CASE = 2

ALLOCATOR = re.compile(
    r"(malloc|calloc|realloc|reallocarray|aligned_alloc|posix_memalign|memalign|valloc|pvalloc"
    r"|operator new(\[\])?\(.*\)|mi_\w*(alloc|new)\w*)")
# Code inside the allocator library calls its own entry points; those calls are part
# of the outer allocation, not new ones.
ALLOCATOR_OBJECT = re.compile(r"libmimalloc")
COMPRESSED = re.compile(r"\((\d+)\)(?: (.*))?")


class GateError(Exception):
    pass


def parse_callgrind(path):
    """Returns (instructions, allocations) of one callgrind output file."""
    names = {"fn": {}, "ob": {}}
    current = {"fn": None, "ob": None, "cfn": None}
    instructions = None
    allocations = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep and key in ("fn", "cfn", "ob"):
                space = "ob" if key == "ob" else "fn"
                m = COMPRESSED.fullmatch(value)
                if m:
                    if m.group(2) is not None:
                        names[space][m.group(1)] = m.group(2)
                    value = names[space].get(m.group(1), value)
                current[key] = value
            elif sep and key == "calls":
                caller_is_allocator = ALLOCATOR.fullmatch(current["fn"] or "") or ALLOCATOR_OBJECT.search(
                    current["ob"] or "")
                if ALLOCATOR.fullmatch(current["cfn"] or "") and not caller_is_allocator:
                    allocations += int(value.split()[0])
            elif line.startswith("totals:"):
                instructions = int(line.split()[1])
    if instructions is None:
        raise GateError(f"{path}: no totals line")
    return instructions, allocations


def run_case(binary, name, out_dir, run):
    """One valgrind process for one case: its counts as a dict."""
    out_file = os.path.join(out_dir, f"{name.replace('/', '_')}.{run}.callgrind")
    command = [
        # mimalloc decommits freed memory after a delay measured by the clock, which
        # would make a case that frees slabs count differently on a busier machine.
        "env", "-i", "LC_ALL=C", "PATH=/usr/bin:/bin", "MIMALLOC_ALLOW_DECOMMIT=0",
        "setarch", platform.machine(), "--addr-no-randomize",
        "valgrind", "--tool=callgrind", "--collect-atstart=no", "--instr-atstart=no",
        f"--callgrind-out-file={out_file}",
        "./" + os.path.basename(binary), "--case", name,
    ]
    done = subprocess.run(command, cwd=os.path.dirname(binary), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise GateError(f"case {name} failed (exit {done.returncode}):\n{done.stderr}")
    fields = dict(pair.split("=", 1) for pair in done.stdout.split())
    instructions, allocations = parse_callgrind(out_file)
    return {
        "instructions": instructions,
        "allocations": allocations,
        "ops": int(fields["ops"]),
        "events": int(fields["events"]),
        "bytes_copied": int(fields["bytes_copied"]),
    }


def measure(binary, cases):
    """Runs every case RUNS_PER_CASE times; returns {name: [counts of each run]}."""
    runs = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="perf-gate.") as out_dir, \
            concurrent.futures.ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        futures = {pool.submit(run_case, binary, name, out_dir, run): name
                   for name in cases for run in range(RUNS_PER_CASE)}
        for future in concurrent.futures.as_completed(futures):
            runs[futures[future]].append(future.result())
    return runs


def summarize(unit, counts):
    """Per-op and per-event figures of one case, as the baseline stores them."""
    result = {"unit": unit, "instructions_per_op": round(counts["instructions"] / counts["ops"], 2)}
    if counts["events"]:
        result["allocations_per_event"] = counts["allocations"] / counts["events"]
        result["bytes_copied_per_event"] = counts["bytes_copied"] / counts["events"]
    return result


def check_runs(runs):
    """The problems found without a baseline: runs that disagree, a path that allocates or copies."""
    problems = []
    for name, each in runs.items():
        if any(run != each[0] for run in each[1:]):
            problems.append(f"{name}: runs of the same binary disagree: {each}")
        if each[0]["events"] and (each[0]["allocations"] or each[0]["bytes_copied"]):
            problems.append(f"{name}: the publish-to-deliver path allocated {each[0]['allocations']} times and "
                            f"copied {each[0]['bytes_copied']} bytes for {each[0]['events']} events")
    return problems


def side_metric(now, key):
    return "-" if key not in now else f"{now[key]:g}"


def compare(baseline, current):
    """Prints the table; returns the problems found against the baseline."""
    problems = []
    ratios = []
    print(f"{'case':<16}{'unit':<22}{'baseline':>12}{'now':>12}{'change':>11}{'allocs/event':>14}{'bytes/event':>13}")
    for name in list(current) + [name for name in baseline if name not in current]:
        base, now = baseline.get(name), current.get(name)
        if base is None or now is None:
            problems.append(f"{name}: {'not in the baseline' if base is None else 'no such case any more'}")
            continue
        ratio = now["instructions_per_op"] / base["instructions_per_op"]
        ratios.append(ratio)
        print(f"{name:<16}{now['unit']:<22}{base['instructions_per_op']:>12.2f}{now['instructions_per_op']:>12.2f}"
              f"{ratio - 1:>+11.2%}{side_metric(now, 'allocations_per_event'):>14}"
              f"{side_metric(now, 'bytes_copied_per_event'):>13}")
        if ratio > 1 + CASE_LIMIT:
            problems.append(f"{name}: {ratio - 1:+.2%} instructions per op, more than the {CASE_LIMIT:.0%} allowed")
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"{'geomean':<62}{geomean - 1:>+11.2%}")
        if geomean > 1 + GEOMEAN_LIMIT:
            problems.append(f"geometric mean {geomean - 1:+.2%}, more than the {GEOMEAN_LIMIT:.0%} allowed")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="the bench_gate executable")
    parser.add_argument("--baseline", required=True, help="the baseline JSON file")
    parser.add_argument("--update-baseline", action="store_true", help="write this run's counts as the baseline")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise GateError("valgrind is not installed (tools/setup.sh installs it)")

    binary = os.path.abspath(args.binary)
    listed = subprocess.run([binary, "--list"], capture_output=True, text=True, check=True).stdout
    units = dict(line.split("\t", 1) for line in listed.splitlines())
    compiler = subprocess.run([binary, "--compiler"], capture_output=True, text=True, check=True).stdout.strip()
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=True).stdout.strip()

    runs = measure(binary, units)
    current = {name: summarize(units[name], runs[name][0]) for name in units}
    problems = check_runs(runs)

    if args.update_baseline:
        if problems:
            raise GateError("not writing a baseline:\n  " + "\n  ".join(problems))
        with open(args.baseline, "w", encoding="utf-8") as f:
            json.dump({"compiler": compiler, "valgrind": valgrind, "cases": current}, f, indent=2)
            f.write("\n")
        compare(current, current)
        print(f"perf gate: baseline written to {args.baseline}; commit it saying why the counts moved")
        return 0

    if not os.path.exists(args.baseline):
        raise GateError(f"no baseline at {args.baseline}: tools/perf-gate.sh --update-baseline writes one")
    with open(args.baseline, encoding="utf-8") as f:
        baseline = json.load(f)
    if (baseline["compiler"], baseline["valgrind"]) != (compiler, valgrind):
        print(f"note: the baseline was measured with {baseline['compiler']} and {baseline['valgrind']}, this run "
              f"with {compiler} and {valgrind}; counts from different tools differ")
    problems += compare(baseline["cases"], current)
    if problems:
        print("perf gate FAILED:\n  " + "\n  ".join(problems))
        return 1
    print(f"perf gate passed: {len(current)} cases, each run {RUNS_PER_CASE} times with equal counts")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except GateError as error:
        print(f"perf gate: {error}", file=sys.stderr)
        sys.exit(1)
