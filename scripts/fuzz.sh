#!/usr/bin/env bash
# Fuzzes the engine with libFuzzer (clang, ASan + UBSan): scripts/fuzz.sh TARGET SECONDS, or `all SECONDS`
# to run the six targets one after the other. TARGET: rules | expression | proposal | ndjson | result_line | ids.
# Builds build-fuzz/ (fuzz/CMakeLists.txt, a separate CMake project), seeds a working corpus in
# build-fuzz/corpus/TARGET from the repository (rules/, examples/, tests/ci/, fuzz/seeds/), and writes
# crashes, leaks and timeouts to build-fuzz/crashes/TARGET/. Nothing in the repository is written.
# Environment: FUZZ_JOBS=N runs N fuzzing processes for the target (default 1); FUZZ_ARGS adds libFuzzer flags.
# A crash found is kept as a regression test: minimise it (see fuzz/README.md) into tests/fuzz_regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets=(rules expression proposal ndjson result_line ids)
usage() { echo "usage: scripts/fuzz.sh {rules|expression|proposal|ndjson|result_line|ids|all} SECONDS" >&2; exit 2; }
[ $# -eq 2 ] || usage
target=$1 seconds=$2
[[ $seconds =~ ^[0-9]+$ ]] || usage
if [ "$target" = all ]; then
  for t in "${targets[@]}"; do "$0" "$t" "$seconds"; done
  exit 0
fi
[[ " ${targets[*]} " == *" $target "* ]] || usage

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (Debian: clang-14 libclang-rt-14-dev)" >&2; exit 2; }
build=$root/build-fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then
  generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S fuzz -B "$build" "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
fi
cmake --build "$build" --target "fuzz_$target"

# Seeds: copied in once; the working corpus then grows in build-fuzz/corpus/TARGET.
corpus=$build/corpus/$target
crashes=$build/crashes/$target
mkdir -p "$corpus" "$crashes"
seed() { cp -f "$1" "$corpus/seed-$(basename "$(dirname "$1")")-$(basename "$1")"; }
if [ -z "$(ls -A "$corpus")" ]; then
  case $target in
    rules)
      for f in rules/*.yaml tests/ci/*.yaml fuzz/seeds/rules/*; do seed "$f"; done
      ;;
    expression)
      for f in fuzz/seeds/expression/*; do seed "$f"; done ;;
    proposal)
      for f in $(find examples -name '*.json' | sort); do seed "$f"; done
      # each NDJSON line as a proposal of its own
      n=0; while IFS= read -r line; do n=$((n + 1)); printf '%s' "$line" > "$corpus/seed-ci-line-$n.json"; done < tests/ci/proposals.ndjson ;;
    ndjson)
      # The first byte chooses the file kind (0 .ndjson, 2 .jsonl, 3 .json; 0xF? pads the text with MiBs
      # of spaces: see fuzz/fuzz_ndjson.cpp).
      for f in fuzz/seeds/ndjson/*; do seed "$f"; done ;;
    result_line)
      for f in fuzz/seeds/result_line/*; do seed "$f"; done ;;
    ids)
      # The first byte sets max_ids_in_memory (1 + byte % 16); then one id a line.
      for f in fuzz/seeds/ids/*; do seed "$f"; done ;;
  esac
fi
case $target in
  rules | expression) dict=fuzz/rules.dict ;;
  ids) dict= ;;
  *) dict=fuzz/json.dict ;;
esac
case $target in
  rules) max_len=65536 ;;     # the built-in rule set is 40 KB
  expression) max_len=4096 ;;
  proposal) max_len=16384 ;;
  ndjson) max_len=65536 ;;
  result_line) max_len=16384 ;;
  ids) max_len=65536 ;;
esac

jobs=${FUZZ_JOBS:-1}
flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len"
       -artifact_prefix="$crashes/" -print_final_stats=1 ${FUZZ_ARGS:-})
[ -n "$dict" ] && flags+=(-dict="$dict")
[ "$jobs" -gt 1 ] && flags+=(-jobs="$jobs" -workers="$jobs")
echo "fuzz.sh: fuzz_$target for $seconds s; corpus $corpus; crashes in $crashes" >&2
# UBSan stops at its first report (the build uses -fno-sanitize-recover) and prints a stack.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
status=0
"$build/fuzz_$target" "${flags[@]}" "$corpus" || status=$?
echo "fuzz.sh: fuzz_$target finished with status $status; $(ls "$crashes" | wc -l) file(s) in $crashes" >&2
exit $status
