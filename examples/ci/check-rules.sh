#!/usr/bin/env bash
# check-rules.sh OLD NEW PROPOSALS...
#
# Checks a changed rule set the way a pull/merge request should be checked:
#   1. screener validate --strict NEW       errors and lint warnings both fail the check
#   2. screener test NEW --junit junit.xml  the rule set's own tests (and their coverage)
#   3. screener diff OLD NEW PROPOSALS...   the impact on real proposals, as Markdown in impact.md
#
# Every step runs even when an earlier one fails, so a CI job always gets all three results. The exit
# code is 2 when the diff cannot be computed (for example OLD or NEW does not compile), else 1 when
# validate or test fails, 0 otherwise. A verdict flip alone does not fail the check: it is what the
# reviewer reads in impact.md. Set FAIL_ON_CHANGE=1 to fail on any flip as well.
#
# Environment:
#   SCREENER        the screener binary (default: `screener` on PATH)
#   OUT_DIR         where junit.xml and impact.md are written (default: the current directory)
#   MIN_COVERAGE    passed to `screener test --min-coverage` when set (a percentage)
#   FAIL_ON_CHANGE  1: pass --fail-on-change to `screener diff` and fail when a verdict flips
set -uo pipefail

usage() {
  echo "usage: $0 OLD_RULES NEW_RULES PROPOSALS..." >&2
  echo "  runs screener validate --strict, test and diff; writes junit.xml and impact.md to \$OUT_DIR (default .)" >&2
  exit 2
}
[ $# -ge 3 ] || usage
old=$1
new=$2
shift 2

screener=${SCREENER:-screener}
out_dir=${OUT_DIR:-.}
if ! command -v "$screener" >/dev/null 2>&1; then
  echo "check-rules: cannot run '$screener'; put screener on PATH or set SCREENER=/path/to/screener" >&2
  exit 2
fi
for f in "$old" "$new"; do
  [ -f "$f" ] || { echo "check-rules: no such rule set: $f" >&2; exit 2; }
done
mkdir -p "$out_dir" || exit 2
junit=$out_dir/junit.xml
impact=$out_dir/impact.md
rm -f "$junit" "$impact"  # a step that fails writes none: no report of an earlier run may pass for this one's

section() { printf '\n== %s\n' "$*"; }

section "screener validate --strict $new"
"$screener" validate --strict "$new"
validate_status=$?

section "screener test $new"
test_args=(test "$new" --junit "$junit")
[ -n "${MIN_COVERAGE:-}" ] && test_args+=(--min-coverage "$MIN_COVERAGE")
"$screener" "${test_args[@]}"
test_status=$?

section "screener diff $old $new $*"
diff_args=(diff "$old" "$new" "$@" --format md -o "$impact")
[ "${FAIL_ON_CHANGE:-0}" = 1 ] && diff_args+=(--fail-on-change)
"$screener" "${diff_args[@]}"
diff_status=$?
# The summary line of the impact report, so a CI log shows it without opening the file.
[ -f "$impact" ] && sed -n '3p' "$impact"

verdict() { [ "$1" -eq 0 ] && echo ok || echo "FAILED (exit $1)"; }
section "summary"
echo "validate: $(verdict $validate_status)"
echo "test:     $(verdict $test_status)"
echo "diff:     $(verdict $diff_status)"
[ -f "$junit" ] && echo "JUnit report:  $junit"
[ -f "$impact" ] && echo "impact report: $impact"

if [ $diff_status -ge 2 ]; then exit 2; fi
if [ $validate_status -ne 0 ] || [ $test_status -ne 0 ]; then exit 1; fi
if [ $diff_status -eq 1 ]; then exit 1; fi  # --fail-on-change and a verdict flipped
exit 0
