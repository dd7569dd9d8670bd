#!/usr/bin/env bash
# Run Microsoft's validator (scripts/peers/ms-validate.js) and azplint on the shared corpus,
# time each (median wall time of RUNS runs, release build of azplint), and compare them.
# Usage: scripts/peers/run-comparison.sh [RUNS] [OUTDIR]   (defaults: 3, target/peers)
# Needs node + npm (the npm registry, once, for `npm ci`), cargo, python3 with PyYAML,
# and ../shared (corpus, data/service-schema.json, data/azure-pipelines-tasks).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
out=${2:-target/peers}
corpus=../shared/corpus
schema=../shared/data/service-schema.json
[ -d "$corpus" ] || { echo "no $corpus" >&2; exit 1; }
mkdir -p "$out"

[ -d scripts/peers/node_modules/azure-pipelines-language-service ] || npm ci --prefix scripts/peers
cargo build --release --quiet

# median_s OUTFILE CMD...: run CMD $runs times with stdout to OUTFILE, print the median wall time.
median_s() {
  local outfile=$1; shift
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >"$outfile" 2>>"$out/stderr.log" || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | sort -n | awk '{v[NR]=$1} END {printf "%.2f\n", v[int((NR+1)/2)]/1000}'
}

: >"$out/stderr.log"
# shellcheck disable=SC2046 # one root per repository directory
ms_time=$(median_s "$out/ms.jsonl" node scripts/peers/ms-validate.js --schema "$schema" "$corpus")
az_time=$(median_s "$out/azplint.json" ./target/release/azplint --format json --fail-on never $(ls -d "$corpus"/*/))

echo "Microsoft validator: median ${ms_time} s of ${runs} runs; $(wc -l <"$out/ms.jsonl") findings"
echo "azplint (release):   median ${az_time} s of ${runs} runs"
python3 scripts/peers/compare.py "$out/ms.jsonl" "$out/azplint.json" --details "$out/ms-judged.jsonl" >"$out/comparison.md"
echo "report: $out/comparison.md; every Microsoft finding with its verdict: $out/ms-judged.jsonl"
