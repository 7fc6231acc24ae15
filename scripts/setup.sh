#!/usr/bin/env bash
# README command 1: install what kdc needs, build it, and check a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target kdc
echo
echo "== build/kdc check examples/textbook-at-least-once/*.properties"
# Exit status 0: the analysis ran. The verdict is in the report.
build/kdc check examples/textbook-at-least-once/*.properties --out kdc-out/textbook-at-least-once
