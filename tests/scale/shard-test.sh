#!/usr/bin/env bash
# Scale-out check: a corpus split into 4 shards, scored by 4 `screener eval --format ndjson`
# processes under GNU parallel, merged by `screener rank`, must give byte-identical reports to one
# `screener eval` of the same shards (SPEC section 6), also when there are more shards than files
# `rank` may have open. Usage: shard-test.sh SCREENER SOURCE_DIR WORK_DIR
set -euo pipefail
screener=$1 source=$2 work=$3/shard-test
rules=$source/bench/reference.yaml
rm -rf "$work" && mkdir -p "$work" && cd "$work"

python3 "$source/bench/gen_reference.py" 1000 7 > corpus.ndjson
# A repeated id that lands in another shard, and a malformed line: both must come out as one eval has them.
head -1 corpus.ndjson >> corpus.ndjson
echo '{"id": "broken",' >> corpus.ndjson
split -n l/4 -d --additional-suffix=.ndjson corpus.ndjson shard-

parallel --will-cite -j4 "'$screener' eval -q --rules '$rules' --format ndjson -o {.}.results {}" ::: shard-*.ndjson

passed=0 failed=0
for format in json md csv junit ndjson; do
  "$screener" rank -q --format "$format" -o "merged.$format" shard-*.results
  "$screener" eval -q --jobs 2 --rules "$rules" --format "$format" -o "single.$format" shard-*.ndjson
  if cmp "merged.$format" "single.$format"; then
    passed=$((passed + 1))
  else
    echo "FAIL: $format reports differ"; failed=$((failed + 1))
  fi
done
grep -q "repeats an earlier proposal's id" merged.json || { echo "FAIL: the cross-shard repeated id was not caught"; failed=$((failed + 1)); }

# rank keeps each shard open to read it again; past the limit on open files it keeps their lines
# instead. 200 shards of 5 results under a limit of 100 (68 kept open): the same report.
mkdir many && cat shard-*.results > all.results && split -n l/200 -d -a 3 --additional-suffix=.results all.results many/part-
if (ulimit -n 100 && "$screener" rank -q --format csv -o many.csv many/part-*.results) && cmp many.csv single.csv; then
  passed=$((passed + 1))
else
  echo "FAIL: 200 shards under ulimit -n 100 differ from one eval"; failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
