#!/usr/bin/env bash
# Regenerates the example HTML report and its screenshot from examples/proposals with the built-in
# rule set: examples/reports/bac-ninh-234.html and examples/reports/bac-ninh-234.png.
# Run it after a change to the rules, the examples or the HTML writer, and commit both files.
#
#   scripts/make-example-report.sh [SCREENER]     (default: build/cli/screener)
#
# The report shows a fixed date (SOURCE_DATE_EPOCH, 2025-06-01 unless set), so reruns are
# byte-identical. The screenshot needs Debian's chromium package.
set -euo pipefail
cd "$(dirname "$0")/.."
screener=${1:-build/cli/screener}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1748736000}
out=examples/reports
mkdir -p "$out"
"$screener" -q eval examples/proposals -o "$out/bac-ninh-234.html"
chmod 644 "$out/bac-ninh-234.html"

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "no chromium on PATH: $out/bac-ninh-234.html written, screenshot skipped (apt-get install chromium)" >&2
  exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1280,2000 --screenshot="$PWD/$out/bac-ninh-234.png" "file://$PWD/$out/bac-ninh-234.html" >/dev/null 2>&1
echo "wrote $out/bac-ninh-234.html and $out/bac-ninh-234.png"
