#!/usr/bin/env bash
# Rewrites traces/<example>/<effect>.jsonl: the shortest counterexample kdc finds for each
# effect of each bundled example. The suite replays every file under traces/ on the model
# (conformance/canonical_traces_test.cc), so a model change that makes one illegal fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j"$(nproc)" --target kdc >/dev/null
for dir in examples/*/; do
  name=$(basename "$dir")
  rm -rf "traces/$name"
  build/kdc check "$dir"*.properties --quiet --out "traces/$name" > /dev/null
  echo "traces/$name: $(ls "traces/$name" 2>/dev/null | tr '\n' ' ')"
done
