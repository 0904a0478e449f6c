#!/usr/bin/env bash
# shellcheck disable=SC2016  # backquotes in the expected Markdown are literal
# Runs examples/ci/check-rules.sh the way the CI workflows do, on the fixtures in this directory, and
# checks its exit code and outputs. Used by ctest (tests/CMakeLists.txt):
#
#   check-rules-test.sh CASE SCREENER_BINARY SOURCE_DIR WORK_DIR
#
# CASE is one of: pass, path, lint-warning, failing-test, fail-on-change, broken-old, broken-new, usage, workflows.
set -euo pipefail

case_name=$1
screener=$2
src=$3
work=$4/ci-check-rules-$case_name
script=$src/examples/ci/check-rules.sh
ci=$src/tests/ci

rm -rf "$work"
mkdir -p "$work"
cd "$work"

fail() { echo "FAIL ($case_name): $*" >&2; exit 1; }
expect_exit() {  # expected actual
  [ "$1" = "$2" ] || { cat "$work/log" >&2; fail "check-rules.sh exited $2, expected $1"; }
}
contains() {  # file text
  grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "$1 does not contain: $2"; }
}
# JUnit well-formedness and counts, with python3's XML parser: testsuites tests/failures, testcases.
check_junit() {  # file tests failures
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
import xml.etree.ElementTree as ET
path, tests, failures = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
root = ET.parse(path).getroot()
assert root.tag == "testsuites", root.tag
assert int(root.get("tests")) == tests, (root.get("tests"), tests)
assert int(root.get("failures")) == failures, (root.get("failures"), failures)
cases = root.findall("./testsuite/testcase")
assert len(cases) == tests, len(cases)
failed = [c for c in cases if c.find("failure") is not None]
assert len(failed) == failures, [c.get("name") for c in failed]
for c in cases:
    assert c.get("name") and c.get("file") and c.get("line"), c.attrib
EOF
}
run() {  # runs check-rules.sh with "$@", output to ./log; sets $status
  set +e
  "$@" >"$work/log" 2>&1
  status=$?
  set -e
}

case $case_name in
  pass)
    # rules-v1 -> rules-v2: validate and test pass, the impact report lists the five flips.
    run env SCREENER="$screener" OUT_DIR=out "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 0 $status
    [ -s out/junit.xml ] || fail "no out/junit.xml"
    [ -s out/impact.md ] || fail "no out/impact.md"
    check_junit out/junit.xml 7 0
    contains out/junit.xml 'name="a plant without wastewater treatment fails the new gate"'
    contains out/impact.md '## Rule change impact: `ci-demo` 1 → `ci-demo` 2'
    contains out/impact.md '**9 proposals: 5 verdict flips (1 fail → pass, 2 pass → fail, 2 pass → invalid); 3 scores changed (largest 15.28); 7 rank moves.**'
    contains out/impact.md '| CI-02 | Mid-size assembly plant, 4 M USD/ha | pass 68.33 (#6) | fail 54.44 (#5) | -13.89 |'
    contains out/impact.md '| CI-03 | Capital-dense plant just under the old pass score | fail 57.78 (#7) | pass 57.78 (#3) | 0.00 |'
    contains out/impact.md '| CI-04 | Strong plant without wastewater treatment | pass 100.00 (#2) | fail 100.00 (#4) | 0.00 |'
    contains out/impact.md '| CI-05 | Plant that does not say how it treats wastewater | pass 88.89 (#5) | invalid |  | wastewater_treatment: missing (required input) |'
    contains out/impact.md '| CI-06 | Large 150 ha campus | pass 100.00 (#3) | invalid |  | land_ha: expected at most 100, found 150 |'
    contains log 'JUnit report:  out/junit.xml'
    contains log 'impact report: out/impact.md'
    contains log '7 tests, 7 passed, 0 failed'
    ;;
  path)
    # Without SCREENER the script finds `screener` on PATH, and writes to the current directory.
    run env -u SCREENER PATH="$(dirname "$screener"):$PATH" "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 0 $status
    if [ ! -s junit.xml ] || [ ! -s impact.md ]; then fail "no junit.xml / impact.md in the current directory"; fi
    # And a screener that cannot be found is a clear error.
    run env SCREENER="$work/no-such-screener" "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 2 $status
    contains log "cannot run '$work/no-such-screener'"
    ;;
  lint-warning)
    # An unused input is a lint warning: --strict fails the check, but the tests and the diff still run.
    sed 's/^inputs:$/inputs:\n  unused_note: { type: string, required: false }/' "$ci/rules-v2.yaml" > new.yaml
    grep -q unused_note new.yaml || fail "could not make the fixture"
    run env SCREENER="$screener" "$script" "$ci/rules-v1.yaml" new.yaml "$ci/proposals.ndjson"
    expect_exit 1 $status
    contains log "warning: input 'unused_note' is never used by any rule"
    contains log 'validate: FAILED (exit 1)'
    contains log 'test:     ok'
    check_junit junit.xml 7 0
    contains impact.md '5 verdict flips'
    ;;
  failing-test)
    # A test whose expectation no longer holds: the check fails and the JUnit report has the failure.
    sed 's/expect: { verdict: fail, score: 100, gates_failed: \[wastewater\] }/expect: { verdict: pass }/' "$ci/rules-v2.yaml" > new.yaml
    grep -q 'expect: { verdict: pass }$' new.yaml || fail "could not make the fixture"
    run env SCREENER="$screener" "$script" "$ci/rules-v1.yaml" new.yaml "$ci/proposals.ndjson"
    expect_exit 1 $status
    contains log 'FAIL a plant without wastewater treatment fails the new gate'
    contains log "verdict: expected pass, got fail (gate 'wastewater' failed: no on-site wastewater treatment)"
    contains log 'test:     FAILED (exit 1)'
    check_junit junit.xml 7 1
    contains impact.md '5 verdict flips'
    ;;
  fail-on-change)
    run env SCREENER="$screener" FAIL_ON_CHANGE=1 "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 1 $status
    contains log 'diff:     FAILED (exit 1)'
    contains impact.md '5 verdict flips'
    # No flip, no failure: the same rule set on both sides.
    run env SCREENER="$screener" FAIL_ON_CHANGE=1 "$script" "$ci/rules-v2.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 0 $status
    contains impact.md '**9 proposals: 0 verdict flips; 0 scores changed (largest 0.00); 0 rank moves.**'
    ;;
  broken-old)
    # The base version does not compile: NEW is fine, but there is no impact report (exit 2).
    printf 'format: screener/v1\nid: broken\n' > old.yaml
    run env SCREENER="$screener" "$script" old.yaml "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 2 $status
    contains log "old.yaml:1:1: error: the rule set needs 'version'"
    contains log 'validate: ok'
    contains log 'diff:     FAILED (exit 2)'
    [ ! -e impact.md ] || fail "impact.md written for a broken OLD"
    ;;
  broken-new)
    # After a run that passed, into the same OUT_DIR: NEW does not compile, so validate and test
    # fail and there is no impact (exit 2); the JUnit report says why, and the first run's impact
    # report is not left to be read as this one's.
    run env SCREENER="$screener" OUT_DIR=out "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 0 $status
    printf 'format: screener/v1\nid: broken\n' > new.yaml
    run env SCREENER="$screener" OUT_DIR=out "$script" "$ci/rules-v1.yaml" new.yaml "$ci/proposals.ndjson"
    expect_exit 2 $status
    contains log "new.yaml:1:1: error: the rule set needs 'version'"
    contains log 'validate: FAILED (exit 1)'
    contains log 'diff:     FAILED (exit 2)'
    if grep -q 'verdict flips\|impact report:' log; then cat log >&2; fail "the first run's impact report was shown"; fi
    [ ! -e out/impact.md ] || fail "out/impact.md of the first run left behind"
    contains out/junit.xml '<error message="the rule set new.yaml has errors">new.yaml:1:1: error: the rule set needs '"'"'version'"'"''
    ;;
  usage)
    run env SCREENER="$screener" "$script" "$ci/rules-v1.yaml" "$ci/rules-v2.yaml"
    expect_exit 2 $status
    contains log 'usage:'
    run env SCREENER="$screener" "$script" "$ci/no-such.yaml" "$ci/rules-v2.yaml" "$ci/proposals.ndjson"
    expect_exit 2 $status
    contains log 'no such rule set'
    ;;
  workflows)
    # The example workflows are valid YAML with the steps docs/changing-rules.md describes. PyYAML is
    # not among the build dependencies: without it, only the text checks in test_diff.cpp run.
    if ! python3 -c 'import yaml' 2>/dev/null; then
      echo "python3 yaml module not installed; skipping the YAML structure check"
      exit 0
    fi
    python3 - "$src/examples/ci/github-actions.yml" "$src/examples/ci/gitlab-ci.yml" <<'EOF'
import sys
import yaml
gh = yaml.safe_load(open(sys.argv[1]))
on = gh.get("on", gh.get(True))  # YAML 1.1 reads a bare `on` key as true
assert "rules/**" in on["pull_request"]["paths"], on
steps = [s for job in gh["jobs"].values() for s in job["steps"]]
runs = "\n".join(s.get("run", "") for s in steps)
uses = [s.get("uses", "") for s in steps]
assert any(u.startswith("actions/checkout@") for u in uses), uses
checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
assert checkout["with"]["fetch-depth"] == 0, checkout
for needle in ["scripts/install-deps.sh", "cmake --build", "git show", "examples/ci/check-rules.sh", "gh pr comment"]:
    assert needle in runs, needle
assert any(u.startswith("actions/upload-artifact@") for u in uses), uses
gl = yaml.safe_load(open(sys.argv[2]))
job = gl["screener-rules"]
script = "\n".join(job["before_script"] + job["script"])
for needle in ["scripts/install-deps.sh", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "examples/ci/check-rules.sh"]:
    assert needle in script, needle
assert job["artifacts"]["reports"]["junit"] == "junit.xml", job["artifacts"]
assert "impact.md" in job["artifacts"]["paths"], job["artifacts"]
assert job["artifacts"]["when"] == "always", job["artifacts"]
print("workflows ok")
EOF
    ;;
  *)
    fail "unknown case"
    ;;
esac
echo "ok: $case_name"
