#!/usr/bin/env bash
# The reference benchmark of issue 7, end to end, every figure next to the physical floor measured
# in the same run (these machines are shared and noisy: compare ratios, not absolute times).
#
#   bench/run.sh [N] [JOBS]        N proposals (default 1,000,000), JOBS worker threads (default 2)
#
# Environment: REPS (runs of each command, median reported; default 3), BUILD (build directory;
# default build-bench), NO_BUILD=1 (use the binaries already built), PEERS=0 (skip the plain
# Node.js peer), EVAL_BENCH=0 (skip the stage micro-benchmarks), KEEP=1 (keep the reports).
#
# Measures, interleaved, REPS times each: `cat FILE > /dev/null`; the simdjson parse floor
# (bench/parse_floor.cpp); `screener eval --format ndjson` (streaming) with --jobs 1 and JOBS;
# the same with JOBS into /dev/null (what writing the report costs); `screener eval --format json`
# and `--format csv` (ranked) with JOBS; `screener rank --format csv` of the streamed results (the
# scale-out merge); `screener diff` of the reference rules against a what-if copy whose pass score
# is 62 instead of 60; the plain Node.js peer when node is there. Each under /usr/bin/time -v (CPU
# time, peak RSS), after `sync` and into new files; wall time from the shell's clock.
# Checks: the pass count (84,200 for 200,000, the peers' figure; other sizes against the plain
# Node.js peer), the top three ids, that --jobs 1 and --jobs 2 reports are byte-identical, that
# rank's csv is eval's, and that diff flips exactly the passes scored under 62.
set -euo pipefail

N=${1:-1000000}
JOBS=${2:-2}
REPS=${REPS:-3}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
SCREENER=$BUILD/cli/screener
FLOOR=$BUILD/parse_floor
PEER_PLAIN=${PEER_PLAIN:-/work/shared/bench/peers/plain.js}

die() { echo "run.sh: $*" >&2; exit 1; }
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] || die "N must be a positive number (got '$N')"
[[ $JOBS =~ ^[0-9]+$ && $JOBS -gt 0 ]] || die "JOBS must be a positive number (got '$JOBS')"
[[ -x /usr/bin/time ]] || die "needs GNU time (/usr/bin/time; Debian package 'time')"
mkdir -p "$BUILD"

# --- build: screener (Release), the parse floor (as the peers build it), eval_bench when configured
if [[ ${NO_BUILD:-0} != 1 ]]; then
    if [[ ! -f $BUILD/CMakeCache.txt ]]; then
        cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCREENER_BUILD_TESTS=OFF \
            -DSCREENER_BUILD_BENCH=ON >/dev/null
    fi
    grep -q '^CMAKE_BUILD_TYPE:STRING=Release' "$BUILD/CMakeCache.txt" || echo "run.sh: warning: $BUILD is not a Release build" >&2
    targets=(screener)
    ninja -C "$BUILD" -t targets all 2>/dev/null | grep -q '^eval_bench:' && targets+=(eval_bench)
    ninja -C "$BUILD" "${targets[@]}" >/dev/null || die "build failed (ninja -C $BUILD ${targets[*]})"
    if [[ ! -x $FLOOR || $HERE/parse_floor.cpp -nt $FLOOR ]]; then
        g++ -O3 -march=native -std=c++17 "$HERE/parse_floor.cpp" -lsimdjson -o "$FLOOR" || die "cannot build the parse floor"
    fi
fi
[[ -x $SCREENER ]] || die "no $SCREENER (build it, or unset NO_BUILD)"
[[ -x $FLOOR ]] || die "no $FLOOR (build it, or unset NO_BUILD)"

# --- the workload: N reference proposals, seed 42, cached (a prefix of a larger cached file is the same)
DATA=$BUILD/ref-$N.ndjson
if [[ ! -s $DATA ]]; then
    bigger=$(ls "$BUILD"/ref-*.ndjson 2>/dev/null | sed -n 's/.*ref-\([0-9]*\)\.ndjson$/\1/p' | awk -v n="$N" '$1 > n' | sort -n | head -1)
    if [[ -n $bigger ]]; then
        head -n "$N" "$BUILD/ref-$bigger.ndjson" >"$DATA.tmp"
    else
        echo "generating $N reference proposals into $DATA ..." >&2
        python3 "$HERE/gen_reference.py" "$N" >"$DATA.tmp"
    fi
    mv "$DATA.tmp" "$DATA"
fi
BYTES=$(stat -c %s "$DATA")

WORK=$(mktemp -d "$BUILD/run.XXXXXX")
cleanup() { [[ ${KEEP:-0} == 1 ]] && echo "reports kept in $WORK" >&2 || rm -rf "$WORK"; }
trap cleanup EXIT
SAMPLES=$WORK/samples.tsv
: >"$SAMPLES"

# measure NAME COMMAND...: runs it under /usr/bin/time -v, stdout to $WORK/NAME.out, appends
# "name wall cpu rss_kb" to the samples. Untimed first: the report it will write ($OUT) and its
# stdout file are removed, so that no run pays for ext4 freeing the previous run's report when it
# is replaced, and `sync` writes back what earlier runs left dirty, so that no run competes with that.
measure() {
    local name=$1; shift
    local start end
    rm -f "$WORK/$name.out"
    [[ -n ${OUT:-} && $OUT != /dev/null ]] && rm -f "$OUT"
    sync
    start=$EPOCHREALTIME
    /usr/bin/time -v -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" \
        || { cat "$WORK/$name.err" >&2; die "$name failed: $*"; }
    end=$EPOCHREALTIME
    awk -v name="$name" -v start="$start" -v end="$end" -F': ' '
        /User time \(seconds\)/ { user = $2 } /System time \(seconds\)/ { sys = $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "%s\t%.6f\t%.2f\t%d\n", name, end - start, user + sys, rss }' "$WORK/time" >>"$SAMPLES"
}

EVAL=("$SCREENER" eval --rules "$HERE/reference.yaml")
eval_cmd() { # FORMAT JOBS OUT
    "${EVAL[@]}" --format "$1" --jobs "$2" -o "$3" "$DATA"
}

WHAT_IF=$WORK/what-if.yaml  # the reference rules with the pass score raised from 60 to 62
sed 's/^  pass_score: 60$/  pass_score: 62/' "$HERE/reference.yaml" >"$WHAT_IF"
grep -q '^  pass_score: 62$' "$WHAT_IF" || die "cannot make the what-if rule set (no 'pass_score: 60' in reference.yaml)"

have_node=0
if [[ ${PEERS:-1} == 1 && -f $PEER_PLAIN ]] && command -v node >/dev/null; then have_node=1; fi

cat "$DATA" >/dev/null  # into the page cache: every command reads it from memory
echo "$N proposals ($BYTES bytes), $REPS runs each, JOBS=$JOBS, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((rep = 1; rep <= REPS; rep++)); do
    echo "  run $rep of $REPS ..." >&2
    measure cat cat "$DATA"
    measure floor "$FLOOR" "$DATA"
    OUT=$WORK/ndjson-j1.ndjson measure ndjson_j1 "${EVAL[@]}" --format ndjson --jobs 1 -o "$WORK/ndjson-j1.ndjson" "$DATA"
    if [[ $JOBS != 1 ]]; then
        OUT=$WORK/ndjson-j$JOBS.ndjson measure "ndjson_j$JOBS" "${EVAL[@]}" --format ndjson --jobs "$JOBS" -o "$WORK/ndjson-j$JOBS.ndjson" "$DATA"
    fi
    # The same into /dev/null: what writing the report to a file costs on top.
    OUT=/dev/null measure ndjson_null "${EVAL[@]}" --format ndjson --jobs "$JOBS" -o /dev/null "$DATA"
    OUT=$WORK/json-j$JOBS.json measure "json_j$JOBS" "${EVAL[@]}" --format json --jobs "$JOBS" -o "$WORK/json-j$JOBS.json" "$DATA"
    OUT=$WORK/csv-j$JOBS.csv measure "csv_j$JOBS" "${EVAL[@]}" --format csv --jobs "$JOBS" -o "$WORK/csv-j$JOBS.csv" "$DATA"
    # The streamed results merged by rank (the scale-out path): the same csv report.
    OUT=$WORK/rank-j$JOBS.csv measure "rank_j$JOBS" "$SCREENER" -q rank --format csv --jobs "$JOBS" -o "$WORK/rank-j$JOBS.csv" "$WORK/ndjson-j$JOBS.ndjson"
    OUT=$WORK/diff-j$JOBS.md measure "diff_j$JOBS" "$SCREENER" -q diff --jobs "$JOBS" -o "$WORK/diff-j$JOBS.md" "$HERE/reference.yaml" "$WHAT_IF" "$DATA"
    if [[ $have_node == 1 ]]; then measure plain_node node "$PEER_PLAIN" "$DATA"; fi
done

# --- checks: identical reports for --jobs 1 and 2; the pass count and the top ids
[[ -f $WORK/ndjson-j2.ndjson ]] || eval_cmd ndjson 2 "$WORK/ndjson-j2.ndjson" 2>/dev/null
[[ -f $WORK/json-j2.json ]] || eval_cmd json 2 "$WORK/json-j2.json" 2>/dev/null
[[ -f $WORK/json-j1.json ]] || eval_cmd json 1 "$WORK/json-j1.json" 2>/dev/null
identical=yes
cmp -s "$WORK/ndjson-j1.ndjson" "$WORK/ndjson-j2.ndjson" || identical="NO (ndjson differs)"
cmp -s "$WORK/json-j1.json" "$WORK/json-j2.json" || identical="NO (json differs)"
cmp -s "$WORK/csv-j$JOBS.csv" "$WORK/rank-j$JOBS.csv" || identical="NO (rank's csv differs from eval's)"
NDJSON_BYTES=$(stat -c %s "$WORK/ndjson-j$JOBS.ndjson")
JSON_BYTES=$(stat -c %s "$WORK/json-j$JOBS.json")
CSV_BYTES=$(stat -c %s "$WORK/csv-j$JOBS.csv")
NDJSON_PASS=$(grep -c '"verdict":"pass"' "$WORK/ndjson-j$JOBS.ndjson" || true)
JSON_SUMMARY=$(sed -n 's/^"summary":\(.*\),$/\1/p' "$WORK/json-j$JOBS.json")
JSON_TOP=$(grep -m3 '^{"rank":' "$WORK/json-j$JOBS.json" | sed 's/^{"rank":[0-9]*,"id":"\([^"]*\)".*/\1/' | paste -sd, -)
DIFF_FLIPS=$(sed -n 's/^\*\*[0-9]* proposals: \([0-9]*\) verdict flips\{0,1\}.*/\1/p' "$WORK/diff-j$JOBS.md")
PASSES_UNDER_62=$(grep -o '"verdict":"pass","score":[^,]*' "$WORK/ndjson-j$JOBS.ndjson" | awk -F: '$3 < 62' | wc -l)
FLOOR_OUT=$(head -1 "$WORK/floor.out")
PLAIN_OUT=$([[ $have_node == 1 ]] && head -1 "$WORK/plain_node.out" || true)
EVAL_JSON=
if [[ ${EVAL_BENCH:-1} == 1 && -x $BUILD/bench/eval_bench ]]; then
    echo "  stage micro-benchmarks (eval_bench) ..." >&2
    EVAL_JSON=$WORK/eval_bench.json
    "$BUILD/bench/eval_bench" --benchmark_min_time=0.5 --benchmark_out="$EVAL_JSON" --benchmark_out_format=json >/dev/null 2>&1 \
        || { echo "run.sh: eval_bench failed" >&2; EVAL_JSON=; }
fi

N=$N JOBS=$JOBS BYTES=$BYTES SAMPLES=$SAMPLES IDENTICAL=$identical NDJSON_BYTES=$NDJSON_BYTES JSON_BYTES=$JSON_BYTES CSV_BYTES=$CSV_BYTES \
NDJSON_PASS=$NDJSON_PASS JSON_SUMMARY=$JSON_SUMMARY JSON_TOP=$JSON_TOP FLOOR_OUT=$FLOOR_OUT PLAIN_OUT=$PLAIN_OUT \
DIFF_FLIPS=$DIFF_FLIPS PASSES_UNDER_62=$PASSES_UNDER_62 \
EVAL_JSON=$EVAL_JSON python3 - <<'EOF'
import json, os, statistics, sys

env = os.environ
N, JOBS, BYTES = int(env["N"]), int(env["JOBS"]), int(env["BYTES"])
runs = {}
for line in open(env["SAMPLES"]):
    name, wall, cpu, rss = line.split("\t")
    runs.setdefault(name, []).append((float(wall), float(cpu), int(rss) * 1024))
med = {k: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v), max(r for _, _, r in v))
       for k, v in runs.items()}
best = {k: min(w for w, _, _ in v) for k, v in runs.items()}  # this host's file writes come and go: the spread shows it
floor_wall, floor_cpu, _ = med["floor"]
floor_cpu = max(floor_cpu, 0.01)  # /usr/bin/time counts in hundredths
MiB = 1024 * 1024

def row(label, key, nbytes=BYTES):  # MB/s of what the command reads: the proposals, or rank's results
    wall, cpu, rss = med[key]
    return (f"| {label:<34} | {wall:7.3f} | {best[key]:7.3f} | {cpu:7.2f} | {N / wall:>11,.0f} | {nbytes / wall / 1e6:7.1f} | {rss / MiB:8.1f} "
            f"| {wall / floor_wall:6.2f}x | {cpu / floor_cpu:6.2f}x |")

print(f"\n{N:,} reference proposals ({BYTES / 1e6:.1f} MB), median of {len(runs['floor'])} runs "
      f"(wall from the shell's clock, and the best run's; CPU = user + sys; peak = max RSS):\n")
print("| command                            |  wall s |  best s |   CPU s | proposals/s |    MB/s | peak MiB | wall/floor | CPU/floor |")
print("|---|---|---|---|---|---|---|---|---|")
print(row("cat FILE > /dev/null", "cat"))
print(row("simdjson parse floor", "floor"))
print(row("screener eval ndjson --jobs 1", "ndjson_j1"))
if JOBS != 1: print(row(f"screener eval ndjson --jobs {JOBS}", f"ndjson_j{JOBS}"))
print(row(f"  the same, -o /dev/null", "ndjson_null"))
print(row(f"screener eval json (ranked) --jobs {JOBS}", f"json_j{JOBS}"))
print(row(f"screener eval csv (ranked) --jobs {JOBS}", f"csv_j{JOBS}"))
print(row(f"screener rank csv of the ndjson, -j{JOBS}", f"rank_j{JOBS}", int(env["NDJSON_BYTES"])))
print(row(f"screener diff md (what-if), -j{JOBS}", f"diff_j{JOBS}"))
if "plain_node" in med: print(row("plain Node.js peer (same run)", "plain_node"))

nd_wall, nd_cpu, nd_rss = med[f"ndjson_j{JOBS}"]
js_wall, js_cpu, js_rss = med[f"json_j{JOBS}"]
report = int(env["JSON_BYTES"])
beyond = (js_rss - report) / N  # negative: the report is not held
print(f"\nreports: ndjson {int(env['NDJSON_BYTES']) / 1e6:.1f} MB, json {report / 1e6:.1f} MB "
      f"({report / N:.0f} bytes a proposal)")
null_wall = med["ndjson_null"][0]
print(f"writing the ndjson report to a file adds {nd_wall - null_wall:.3f} s to ndjson --jobs {JOBS} "
      f"({null_wall / floor_wall:.2f}x the parse floor into /dev/null, {nd_wall / floor_wall:.2f}x into a file)")
print(f"ranked json: peak {js_rss / MiB:.1f} MiB ({js_rss / N:.0f} bytes a proposal), the report {report / MiB:.1f} MiB "
      f"(not held: the bound proposals and rank keys are)")
csv_rss, csv_report = med[f"csv_j{JOBS}"][2], int(env["CSV_BYTES"])
print(f"ranked csv: peak {csv_rss / MiB:.1f} MiB ({csv_rss / N:.0f} bytes a proposal), the report {csv_report / MiB:.1f} MiB "
      f"({csv_report / N:.0f} bytes a proposal)")
rank_rss = med[f"rank_j{JOBS}"][2]
print(f"rank of the ndjson results into csv: peak {rank_rss / MiB:.1f} MiB ({rank_rss / N:.0f} bytes a result; "
      f"the results {int(env['NDJSON_BYTES']) / MiB:.1f} MiB are read twice, not held)")
diff_rss = med[f"diff_j{JOBS}"][2]
print(f"diff of the what-if rules: peak {diff_rss / MiB:.1f} MiB ({diff_rss / N:.0f} bytes a proposal; "
      f"each one's standing under both rule sets and the causes of a score change are held, not its results)")

# Peers, measured on the reference machine on 200,000 proposals (peers/README.md): their time over the
# floor's there, against screener's time over the floor's here (ratios carry across machines; sizes
# other than 200,000 assume time grows linearly with N).
peers = [("plain Node.js 20", 1.06), ("nlohmann/json DOM per line (C++)", 1.27),
         ("json-rules-engine 7.3", 7.85), ("GoRules ZEN 0.54", 8.76)]
peer_floor = 0.10
ours = nd_wall / floor_wall
print(f"\nagainst the peers (their wall/floor on the reference machine, 200,000 proposals; ours: ndjson --jobs {JOBS} "
      f"{ours:.2f}x floor here):")
for name, t in peers:
    print(f"  {name:<34} {t / peer_floor:6.1f}x floor  -> screener is {t / peer_floor / ours:5.2f}x as fast")
if "plain_node" in med:
    print(f"  plain Node.js, same run here       {med['plain_node'][0] / floor_wall:6.1f}x floor  -> screener is "
          f"{med['plain_node'][0] / nd_wall:5.2f}x as fast (wall), {med['plain_node'][1] / nd_cpu:5.2f}x (CPU)")

# Checks.
ok = True
summary = json.loads(env["JSON_SUMMARY"]) if env["JSON_SUMMARY"] else {}
json_pass = summary.get("pass")
ndjson_pass = int(env["NDJSON_PASS"])
floor_n = int(env["FLOOR_OUT"].split()[0]) if env["FLOOR_OUT"] else -1
expected, top, source = None, None, None
if N == 200000: expected, source = 84200, "peers/README.md"
if env.get("PLAIN_OUT"):  # "pass P of N; top a,b,c"
    words = env["PLAIN_OUT"].replace(";", "").split()
    plain_pass, top = int(words[1]), words[-1]
    if expected is None: expected, source = plain_pass, "the plain Node.js peer"
    elif plain_pass != expected: print(f"CHECK FAILED: the plain Node.js peer says {plain_pass} pass"); ok = False
print(f"\nchecks:")
print(f"  parse floor saw {floor_n:,} proposals: {'ok' if floor_n == N else 'WRONG'}"); ok &= floor_n == N
print(f"  summary {summary.get('total')} total: {'ok' if summary.get('total') == N and summary.get('invalid') == 0 else 'WRONG'}")
ok &= summary.get("total") == N and summary.get("invalid") == 0
agree = json_pass == ndjson_pass and (expected is None or json_pass == expected)
print(f"  pass count: json {json_pass:,}, ndjson {ndjson_pass:,}, expected "
      f"{'(no reference figure for this N)' if expected is None else f'{expected:,} ({source})'}: {'ok' if agree else 'WRONG'}")
ok &= agree
if top:
    print(f"  top ids: {env['JSON_TOP']} (peer: {top}): {'ok' if top == env['JSON_TOP'] else 'WRONG'}"); ok &= top == env["JSON_TOP"]
else:
    print(f"  top ids: {env['JSON_TOP']}")
print(f"  --jobs 1 and --jobs 2 reports byte-identical (ndjson and json), rank's csv eval's: {env['IDENTICAL']}"); ok &= env["IDENTICAL"] == "yes"
flips, under_62 = env["DIFF_FLIPS"], int(env["PASSES_UNDER_62"])
print(f"  diff's flips {flips or '(none found)'}, the passes scored under 62 {under_62:,}: {'ok' if flips == str(under_62) else 'WRONG'}")
ok &= flips == str(under_62)

stages = {}
if env.get("EVAL_JSON"):
    for b in json.load(open(env["EVAL_JSON"]))["benchmarks"]:
        stages[b["name"]] = b
    print("\nstages alone (eval_bench, 10,000 proposals; CPU time of one thread, ScoreBatch: wall time):")
    for name, b in stages.items():
        print(f"  {name:<34} {b['items_per_second'] / 1e6:8.3f} M proposals/s  ({1e9 / b['items_per_second']:8.1f} ns each)")

# Issue 7's targets. Absolute rates are for the 2-core reference machine, where the floor does 2,000,000/s;
# next to each, the rate scaled by the floor (rate x 2,000,000 / floor rate here).
scale = 2_000_000 / (N / floor_wall)
def verdict(good): return "met" if good else "NOT met"
print(f"\nissue 7 targets (floor here: {N / floor_wall:,.0f}/s; x{scale:.2f} scales a rate to the reference machine):")
nd_rate, js_rate = N / nd_wall, N / js_wall
print(f"  ndjson --jobs {JOBS} >= 1.5 M/s: {nd_rate:,.0f}/s here, {nd_rate * scale:,.0f}/s scaled: {verdict(nd_rate * scale >= 1.5e6)}")
print(f"  ndjson within 2x of the parse floor: {ours:.2f}x (wall; best runs {best[f'ndjson_j{JOBS}'] / best['floor']:.2f}x), "
      f"{nd_cpu / floor_cpu:.2f}x (CPU); into /dev/null {null_wall / floor_wall:.2f}x: {verdict(ours <= 2)}")
print(f"  ranked json >= 1 M/s: {js_rate:,.0f}/s here, {js_rate * scale:,.0f}/s scaled: {verdict(js_rate * scale >= 1e6)}")
if "BM_Evaluate" in stages:
    ev = stages["BM_Evaluate"]["items_per_second"]
    print(f"  evaluation alone >= 20 M/s a core: {ev / 1e6:.2f} M/s here, {ev * scale / 1e6:.2f} M/s scaled: {verdict(ev * scale >= 20e6)}")
print(f"  streaming memory < 64 MB: {nd_rss / MiB:.1f} MiB peak: {verdict(nd_rss < 64 * MiB)}")
# The report is not held (it is rendered again as it is written), so the whole peak is compared with
# the report's size plus 150 bytes a proposal.
print(f"  ranked < 150 bytes a proposal beyond the report: peak {js_rss / N:.0f} bytes a proposal in all, against the "
      f"report's {report / N:.0f} + 150 (the report is not held): {verdict(beyond < 150)}")
best_peer = min(t for _, t in peers) / peer_floor
print(f"  20x ahead of the peers: {best_peer / ours:.2f}x the fastest (plain Node.js), "
      f"{min(t for n, t in peers if 'rules' in n or 'ZEN' in n) / peer_floor / ours:.1f}x the fastest rules engine: "
      f"{verdict(best_peer / ours >= 20)}")
sys.exit(0 if ok else 1)
EOF
