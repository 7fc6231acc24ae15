#!/usr/bin/env bash
# Runs `kdc client` (librdkafka against its mock cluster) over several seeds for each
# bundled example, each seed drawing one fault from the example's fault.* budget, and
# tabulates what was seen per fault kind: kdc effects, Jepsen anomalies, and whether the
# model allows the effects. docs/conformance.md ("Real clients: librdkafka") quotes it.
#
#   scripts/client-campaign.sh [SEEDS] [EXAMPLE...]     (default: 20 seeds, three examples)
#
# Short timeouts keep each run to a second or two: request.timeout.ms=1000,
# auto.commit.interval.ms=200. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
KDC=${KDC:-build/kdc}
SEEDS=${1:-20}
shift || true
EXAMPLES=("$@")
[ ${#EXAMPLES[@]} -gt 0 ] || EXAMPLES=(naive-defaults at-most-once textbook-at-least-once)
OUT=$(mktemp -d)
for ex in "${EXAMPLES[@]}"; do
  for seed in $(seq 1 "$SEEDS"); do
    "$KDC" client examples/"$ex"/*.properties --seed "$seed" --messages 50 --duration 20s \
      --set request.timeout.ms=1000 --set auto.commit.interval.ms=200 --json --quiet \
      > "$OUT/$ex.$seed.json" 2>"$OUT/$ex.$seed.err" || true
  done
done
python3 - "$OUT" "${EXAMPLES[@]}" <<'PY'
import json, sys, glob, collections, os
out, examples = sys.argv[1], sys.argv[2:]
print(f"{'example':28} {'fault':16} {'runs':>4} {'effects (runs showing each)':40} {'Jepsen anomalies (runs)':40} {'not allowed by model':>8}  msg/s")
for ex in examples:
    rows = collections.defaultdict(lambda: {"runs": 0, "effects": collections.Counter(), "anom": collections.Counter(), "disallowed": 0, "rate": []})
    for f in sorted(glob.glob(os.path.join(out, ex + ".*.json"))):
        try:
            j = json.load(open(f))
        except Exception:
            err = open(f[:-5] + ".err").read().strip()
            print(f"{ex}: {os.path.basename(f)}: no report: {err}")
            continue
        kind = j["faults_injected"][0].split()[0] if j["faults_injected"] else "none"
        r = rows[kind]
        r["runs"] += 1
        for e in j["effects"]: r["effects"][e] += 1
        for a in j["anomalies"]: r["anom"][a] += 1
        r["disallowed"] += j.get("allowed_by_model") is False
        r["rate"].append(j["messages_per_second"])
    for kind, r in sorted(rows.items()):
        eff = " ".join(f"{k}:{v}" for k, v in sorted(r["effects"].items())) or "-"
        an = " ".join(f"{k}:{v}" for k, v in sorted(r["anom"].items())) or "-"
        rate = sorted(r["rate"])[len(r["rate"]) // 2] if r["rate"] else 0
        print(f"{ex:28} {kind:16} {r['runs']:>4} {eff:40} {an:40} {r['disallowed']:>8}  {rate:.0f}")
PY
rm -rf "$OUT"
