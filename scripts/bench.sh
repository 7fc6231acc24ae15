#!/usr/bin/env bash
# Builds kdc and its benchmarks in Release (build-bench/) and runs them; see docs/benchmarks.md.
# Arguments are passed to kdc_bench, e.g.
#   scripts/bench.sh --benchmark_filter='naive|acks1'     (the quick ones)
#   scripts/bench.sh --benchmark_format=json               (machine-readable)
# Installs nothing itself: install-deps.sh is a no-op when every package is present.
set -euo pipefail

"$(dirname "$0")/install-deps.sh"
cd "$(dirname "$0")/.."

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j2 --target kdc_bench kdc

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores  $(uname -srm)  commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg)  (other processes on these cores slow real time, not CPU time)"
echo "== build-bench/kdc_bench --benchmark_counters_tabular=true $*"
build-bench/kdc_bench --benchmark_counters_tabular=true "$@"

# One plain line per named configuration, through the CLI (kdc check --json): what a user
# running kdc sees, process start-up and config loading included in the command's wall time;
# `seconds` is the checker's own time.
echo
echo "== kdc check --json, per named configuration"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
summary() {
  local name=$1 example=$2
  shift 2
  local start end json states seconds
  start=$(date +%s.%N)
  json=$(build-bench/kdc check examples/"$example"/*.properties "$@" --json --quiet --out "$out/$name")
  end=$(date +%s.%N)
  states=$(sed -E 's/.*[{,]"states":([0-9]+).*/\1/' <<<"$json")
  seconds=$(sed -E 's/.*[{,]"seconds":([0-9.eE+-]+).*/\1/' <<<"$json")
  awk -v n="$name" -v s="$states" -v t="$seconds" -v w="$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
    'BEGIN { printf "%-28s states=%-10d seconds=%-8.3f states/s=%-10.0f (wall %.3f s)\n", n, s, t, (t > 0 ? s / t : 0), w }'
}
summary textbook-rf3 textbook-at-least-once
summary naive-rf1 naive-defaults
summary acks1-rf3-1msg at-most-once --set model.messages=1
summary textbook-rf3-2faults-1msg textbook-at-least-once --set fault.max.total=2 --set model.messages=1
summary eos-pipeline-rf3 exactly-once-pipeline
