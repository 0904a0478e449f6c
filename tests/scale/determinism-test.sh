#!/usr/bin/env bash
# Determinism under concurrency: the same batch scored with 1, 2 and 8 threads, 6 times each (3 for
# csv and md), must give the same bytes every time, ranked (json, csv, md: scored twice, on the
# workers) and streamed (ndjson); and `rank` of the streamed results must give eval's ranked
# reports at any thread count. 5,000 proposals: several blocks of input, and three runs of 2,048
# ranks in the second pass, in flight at once.
# Usage: determinism-test.sh SCREENER SOURCE_DIR WORK_DIR
set -euo pipefail
screener=$1 source=$2 work=$3/determinism-test
rules=$source/bench/reference.yaml
rm -rf "$work" && mkdir -p "$work" && cd "$work"

python3 "$source/bench/gen_reference.py" 5000 11 > batch.ndjson
head -3 batch.ndjson >> batch.ndjson          # repeated ids: the later ones must be the invalid ones
echo '{"id": "broken",' >> batch.ndjson       # a malformed line among the valid ones

passed=0 failed=0
# same EXPECTED GOT WHAT: a pass when the two files are identical, else says WHAT differs.
same() {
  if cmp -s "$1" "$2"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $3"; failed=$((failed + 1))
  fi
}
for format in json ndjson csv md; do
  "$screener" eval -q --jobs 1 --rules "$rules" --format "$format" -o "expected.$format" batch.ndjson
  runs=6
  [[ $format == csv || $format == md ]] && runs=3
  for run in $(seq "$runs"); do
    for jobs in 1 2 8; do
      "$screener" eval -q --jobs "$jobs" --rules "$rules" --format "$format" -o "got.$format" batch.ndjson
      same "expected.$format" "got.$format" "$format with --jobs $jobs differs on run $run"
    done
  done
done
# rank reads the streamed results on the workers too: at any thread count, eval's ranked reports.
for format in json md; do
  for jobs in 1 2 8; do
    "$screener" rank -q --jobs "$jobs" --format "$format" -o "ranked.$format" expected.ndjson
    same "expected.$format" "ranked.$format" "rank --format $format with --jobs $jobs differs from eval's"
  done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
