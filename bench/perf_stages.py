#!/usr/bin/env python3
"""Where the time of a `screener eval` run goes, by stage: reads `perf script` output (a profile
recorded with call graphs, e.g. `perf record --call-graph dwarf`) on stdin and attributes each sample
to the innermost stage on its stack: read, bind/parse, evaluate, explain, serialize, write, id check,
hand-off (queues, freeing results), start-up; also by thread (main, producer, workers).

  perf script -i perf.data | python3 bench/perf_stages.py [--top N]
"""
import collections
import re
import sys

# (stage, pattern on a frame's symbol), tried in order on each frame from the leaf up; the first
# frame that matches any pattern decides the stage.
STAGES = [
    ("serialize", r"append_result_json|ResultJson|JsonText|rules_text|two_decimals"),
    ("explain", r"screener::explain\b|gate_message|gate_explanation|criterion_reason|no_data_reason|fail_reasons"),
    ("evaluate", r"screener::evaluate\b|Evaluator|detail::run\b|Program::"),
    ("bind/parse", r"fast_bind|FastBinder|bind_record|bind_text|bind_json|store_value|simdjson|nlohmann::.*parser"),
    ("id check", r"IdSet"),
    ("write", r"write_output|basic_ostream|basic_filebuf|_IO_new_file|_IO_file_xsputn|new_do_write|__libc_write|ksys_write|vfs_write"),
    ("read", r"read_raw|RawReader|_IO_file_read|__libc_read|fread|ksys_read|vfs_read"),
    ("start-up", r"_dl_|dl_main|load_rules|compile_file|screener::compile\b|YAML::|CLI::|setup_eval|__libc_start_call_main"),
    ("hand-off", r"Pipeline::run|Pipeline::work|Pipeline::produce|condition_variable|futex|pthread_mutex|score_batch|render_batch"),
]
STAGES = [(name, re.compile(p)) for name, p in STAGES]
# A thread's role, from the outermost frame that tells (the producer is a lambda started in Pipeline::run).
ROLES = [("main", re.compile(r"__libc_start_call_main|^main$")), ("worker", re.compile(r"Pipeline::work|Pipeline::Pipeline")),
         ("producer", re.compile(r"Pipeline::produce|Pipeline::run\(.*lambda|read_raw"))]
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")


def samples(lines):
    header, frames = None, []
    for line in lines:
        if not line.strip():
            if header is not None:
                yield header, frames
            header, frames = None, []
        elif header is None:
            header = line
        else:
            m = FRAME.match(line)
            frames.append((m.group(1) if m else line.strip(), m.group(2) if m else ""))
    if header is not None:
        yield header, frames


def main():
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 25
    by_stage, by_role, leaf = collections.Counter(), collections.Counter(), collections.Counter()
    leaf_stage = collections.defaultdict(collections.Counter)
    total = 0
    for header, frames in samples(sys.stdin):
        total += 1
        stage = "other"
        for sym, _ in frames:
            hit = next((name for name, p in STAGES if p.search(sym)), None)
            if hit:
                stage = hit
                break
        role = "other"
        for sym, _ in reversed(frames):
            hit = next((name for name, p in ROLES if p.search(sym)), None)
            if hit:
                role = hit
                break
        by_stage[stage] += 1
        by_role[(role, stage)] += 1
        sym, dso = frames[0] if frames else ("?", "?")
        name = f"{sym}  [{dso.rsplit('/', 1)[-1]}]"
        leaf[name] += 1
        leaf_stage[name][stage] += 1
    if not total:
        sys.exit("perf_stages: no samples on stdin (pipe `perf script` output in)")
    pct = lambda n: f"{100 * n / total:5.1f}%"
    print(f"{total} samples\n\nby stage (innermost stage on the stack):")
    for stage, n in by_stage.most_common():
        roles = ", ".join(f"{r} {pct(m).strip()}" for (r, s), m in by_role.most_common() if s == stage)
        print(f"  {stage:<12} {pct(n)}   ({roles})")
    print("\nby thread:")
    for role in ("main", "producer", "worker", "other"):
        n = sum(m for (r, _), m in by_role.items() if r == role)
        if n:
            print(f"  {role:<12} {pct(n)}")
    print(f"\ntop {top} functions by self time (stage):")
    for name, n in leaf.most_common(top):
        stage = leaf_stage[name].most_common(1)[0][0]
        print(f"  {pct(n)}  {stage:<11} {name[:150]}")


if __name__ == "__main__":
    main()
