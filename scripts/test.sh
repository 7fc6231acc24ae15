#!/usr/bin/env bash
# README command 2: the whole default test suite, on a fresh machine too (installs what
# is missing first; a no-op when all is there). Long property campaigns and benchmarks
# have their own commands (scripts/properties-campaign.sh, scripts/bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
# The reference is generated from the key table; a stale copy fails here and in a unit test.
build/kdc keys --md | diff -u docs/config-reference.md - >/dev/null || {
  echo "docs/config-reference.md is stale: run build/kdc keys --md > docs/config-reference.md" >&2
  exit 1
}
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
