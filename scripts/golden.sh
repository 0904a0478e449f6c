#!/usr/bin/env bash
# The golden reports: every format of `screener eval` for two fixed inputs, kept in tests/golden/ and
# reviewed in diffs. A ctest runs this with --check; after a deliberate change to a report, run it
# without, read the diff, and commit the files.
#
#   scripts/golden.sh [--check] [SCREENER]     (default: build/cli/screener)
#
# - examples: the built-in rule set on examples/proposals (as README shows it). Its html report is
#   examples/reports/bac-ninh-234.html, which scripts/make-example-report.sh writes with its
#   screenshot; this script only checks it.
# - edge: tests/golden/edge-rules.yaml on edge-proposals.ndjson and edge-array.json: profiles, gates
#   and criteria without data, skipped ones, invalid proposals and repeated ids (across files too),
#   text each format must escape, and counts of pass, fail and invalid that all differ.
# Inputs are named relative to the repository, as a report's sources show them. The html reports
# show a fixed date (SOURCE_DATE_EPOCH).
set -euo pipefail
check=0
if [[ ${1:-} == --check ]]; then
    check=1
    shift
fi
[[ -n ${1:-} ]] && screener=$(realpath "$1")
cd "$(dirname "$0")/.."
screener=${screener:-$PWD/build/cli/screener}
export SOURCE_DATE_EPOCH=1748736000
golden=tests/golden
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# report NAME.EXT FORMAT EVAL-ARGS...: writes the golden file, or compares with it.
report() {
    local file=$1 format=$2
    shift 2
    if ! "$screener" -q eval --format "$format" "$@" >"$out"; then
        echo "screener eval --format $format $* failed: $file not checked" >&2
        failed=1
    elif [[ $check == 0 ]]; then
        cp "$out" "$file"
        chmod 644 "$file"
    elif ! cmp -s "$out" "$file"; then
        local writer=scripts/golden.sh
        [[ $file == examples/* ]] && writer=scripts/make-example-report.sh
        echo "golden report differs: $file (screener eval --format $format $*); $writer rewrites it" >&2
        diff -u "$file" "$out" | head -40 >&2 || true
        failed=1
    fi
}

for format in md csv junit json ndjson; do
    ext=$format
    [[ $format == junit ]] && ext=junit.xml
    report "$golden/examples.$ext" "$format" examples/proposals
    report "$golden/edge.$ext" "$format" --rules "$golden/edge-rules.yaml" "$golden/edge-proposals.ndjson" "$golden/edge-array.json"
done
report "$golden/edge.html" html --rules "$golden/edge-rules.yaml" "$golden/edge-proposals.ndjson" "$golden/edge-array.json"
if [[ $check == 1 ]]; then
    report examples/reports/bac-ninh-234.html html examples/proposals
fi
exit $failed
