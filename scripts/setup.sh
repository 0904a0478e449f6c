#!/usr/bin/env bash
# One command from a fresh Debian machine to a first report: install dependencies, build,
# and score the example proposals with the built-in Bac Ninh rule set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
./build/cli/screener eval --format md examples/proposals
