#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (bookworm). Idempotent.
set -euo pipefail
packages=(build-essential cmake ninja-build python3
          nlohmann-json3-dev libyaml-cpp-dev catch2 libspdlog-dev libfmt-dev libcli11-dev libsimdjson-dev libsodium-dev libutf8proc-dev python3-jsonschema parallel libbenchmark-dev clang-14 libclang-rt-14-dev chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
