#!/usr/bin/env bash
# Rewrites traces/<example>/<effect>.jsonl: the shortest counterexample kdc finds for each
# effect of each bundled example. The suite replays every file under traces/ on the model
# (conformance/canonical_traces_test.cc), so a model change that makes one illegal fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j"$(nproc)" --target kdc >/dev/null
for dir in examples/*/; do
  ls "$dir"*.properties >/dev/null 2>&1 || continue  # examples/replication/ has its own loop
  name=$(basename "$dir")
  rm -rf "traces/$name"
  build/kdc check "$dir"*.properties --quiet --out "traces/$name" > /dev/null
  echo "traces/$name: $(ls "traces/$name" 2>/dev/null | tr '\n' ' ')"
done
# traces/replication/<example>-<property>.jsonl: the shortest run breaking each
# replication-safety property for examples/replication/<example> (docs/replication.md).
rm -rf traces/replication && mkdir -p traces/replication
for dir in examples/replication/*/; do
  name=$(basename "$dir")
  out=$(mktemp -d)
  build/kdc check "$dir"*.properties --quiet --out "$out" > /dev/null
  for f in "$out"/replication-*.jsonl; do
    [ -e "$f" ] || continue
    cp "$f" "traces/replication/$name-$(basename "$f" | sed 's/^replication-//')"
  done
  rm -rf "$out"
done
echo "traces/replication: $(ls traces/replication | tr '\n' ' ')"
