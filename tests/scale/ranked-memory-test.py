#!/usr/bin/env python3
"""A ranked json report keeps what it scores twice compactly, whatever the input's shape.

Usage: ranked-memory-test.py SCREENER WORKDIR

3,000 one-line .ndjson files: each file is read into a chunk that reserves a whole read block
(256 KiB). Kept as read, they would take 770 MB; the run peaks near 20 MB.
The report must still rank all 3,000 (an invalid repeat among them, last).
"""
import json
import os
import resource
import shutil
import subprocess
import sys

screener, work = sys.argv[1], sys.argv[2]
files = os.path.join(work, "many-files")
shutil.rmtree(files, ignore_errors=True)
os.makedirs(files)
for i in range(3000):
    pid = "P0" if i == 2999 else f"P{i}"  # the last repeats the first
    with open(os.path.join(files, f"p{i:04}.ndjson"), "w") as f:
        f.write(json.dumps({"id": pid, "name": f"file {i}", "land_ha": 10 + i % 40, "workers": 100 + i,
                            "capital_usd": 5e7 + i * 1e5}) + "\n")

env = dict(os.environ)
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before reuse.
env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "quarantine_size_mb=1"]))
report = os.path.join(work, "many-files.json")
run = subprocess.run([screener, "-q", "eval", "--format", "json", "-o", report, files], env=env,
                     capture_output=True, text=True)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
if run.returncode != 0:
    sys.exit(f"eval failed ({run.returncode}): {run.stderr}")
results = json.load(open(report))["results"]
failures = []
if len(results) != 3000:
    failures.append(f"{len(results)} results, expected 3000")
if results[-1]["id"] != "P0" or results[-1]["verdict"] != "invalid":
    failures.append(f"the last result is {results[-1]['id']} {results[-1]['verdict']}, expected the repeated P0, invalid")
if peak_mib > 200:
    failures.append(f"peak {peak_mib:.0f} MiB for 3,000 one-line files, expected under 200 MiB")
print(f"peak {peak_mib:.0f} MiB, {len(results)} results")
shutil.rmtree(files)
sys.exit("\n".join(failures) if failures else 0)
