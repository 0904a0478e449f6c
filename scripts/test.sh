#!/usr/bin/env bash
# Runs the whole test suite from a fresh Debian machine: install dependencies, build with warnings
# as errors, run every test (unit, golden and end-to-end CLI) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCREENER_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-test
ctest --test-dir build-test --output-on-failure -j2
