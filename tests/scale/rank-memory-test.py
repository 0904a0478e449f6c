#!/usr/bin/env python3
"""`screener rank` holds neither the results nor their lines: it reads each line twice.

Usage: rank-memory-test.py SCREENER SOURCE_DIR WORKDIR

40,000 reference proposals scored into two shards by `eval --format ndjson` (about 53 MB of results),
then merged by `rank --jobs 2` into csv (which used to hold every Result: 2.8 KB each, 112 MB)
and json (which used to hold every line: 69 MiB). Each merge must peak under 48 MiB; it peaks near
19 and 28 MiB in the Debug build. Not run under AddressSanitizer, whose shadow memory and
quarantine would hide the difference at a size a test can afford.
"""
import csv
import json
import os
import shutil
import subprocess
import sys

screener, source, work = sys.argv[1], sys.argv[2], os.path.join(sys.argv[3], "rank-memory")
os.makedirs(work, exist_ok=True)
rules = os.path.join(source, "bench", "reference.yaml")


def peak_mib(args):
    """Runs screener with `args`; returns its peak resident memory in MiB. A child's peak counts this
    process's memory at the fork too, so this process holds nothing large."""
    child = subprocess.Popen([screener, "-q", *args], stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"screener {' '.join(args)} failed: {child.stderr.read().decode()}")
    return usage.ru_maxrss / 1024


proposals = os.path.join(work, "p.ndjson")
with open(proposals, "w") as f:
    subprocess.run([sys.executable, os.path.join(source, "bench", "gen_reference.py"), "40000"], stdout=f, check=True)
halves = [os.path.join(work, f"p{k}.ndjson") for k in (0, 1)]
with open(proposals) as all_of_them, open(halves[0], "w") as first, open(halves[1], "w") as second:
    for i, line in enumerate(all_of_them):
        (first if i < 20000 else second).write(line)
shards = [os.path.join(work, f"shard{k}.ndjson") for k in (0, 1)]
for half, shard in zip(halves, shards):
    peak_mib(["eval", "--rules", rules, "--format", "ndjson", "-o", shard, half])
results_mb = sum(os.path.getsize(s) for s in shards) / 1e6

failures = []
for fmt in ("csv", "json"):
    report = os.path.join(work, "merged." + fmt)
    peak = peak_mib(["rank", "--jobs", "2", "--format", fmt, "-o", report, *shards])
    with open(report, encoding="utf-8-sig", newline="") as f:
        rows = len(json.load(f)["results"]) if fmt == "json" else sum(1 for _ in csv.reader(f)) - 1
    print(f"rank {fmt}: peak {peak:.1f} MiB for {results_mb:.0f} MB of results, {rows} rows")
    if rows != 40000:
        failures.append(f"rank {fmt}: {rows} rows, expected 40000")
    if peak > 48:
        failures.append(f"rank {fmt}: peak {peak:.1f} MiB, expected under 48 MiB ({results_mb:.0f} MB of results)")
shutil.rmtree(work)
sys.exit("\n".join(failures) if failures else 0)
