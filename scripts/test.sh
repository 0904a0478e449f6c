#!/usr/bin/env bash
# Runs the whole test suite from a fresh Debian machine: install dependencies, build with warnings
# as errors and run every test (unit, golden, end-to-end CLI, browser) through ctest; then build and
# run the same suite again under AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCREENER_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-test
ctest --test-dir build-test --output-on-failure -j2

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSCREENER_SANITIZE=ON -DSCREENER_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2
