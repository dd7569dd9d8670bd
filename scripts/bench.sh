#!/usr/bin/env bash
# Benchmark azplint on the shared corpus and on one typical pipeline (release build).
# Reports the median wall time of N runs, throughput, and peak memory (max RSS, from GNU time).
# Usage: scripts/bench.sh [RUNS]   (default 15; needs ../shared/corpus, python3, /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
corpus=../shared/corpus
[ -d "$corpus" ] || { echo "no $corpus: nothing to measure" >&2; exit 1; }
cargo build --release --quiet
bin=target/release/azplint
single=fixtures/wif-unsupported-task/fail-steps.yml

files=$(find "$corpus" -name '*.yml' -o -name '*.yaml' | wc -l)
bytes=$(find "$corpus" \( -name '*.yml' -o -name '*.yaml' \) -print0 | xargs -0 cat | wc -c)

# median_ms CMD...: run the command $runs times (after one warm-up), print the median in ms.
median_ms() {
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$runs"); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | python3 -c 'import sys; v=[int(x) for x in sys.stdin]; print(f"{v[len(v)//2]/1000:.1f}")'
}
peak_mib() {
  local log; log=$(mktemp)
  /usr/bin/time -f '%M' -o "$log" "$@" >/dev/null 2>&1 || true
  python3 -c 'import sys; print(f"{int(open(sys.argv[1]).read().split()[-1])/1024:.1f}")' "$log"
  rm -f "$log"
}

echo "machine: $(nproc) cores; runs: $runs (median)"
echo
echo "| input | files | MB | median wall | files/s | MB/s | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|"
c_ms=$(median_ms "$bin" --format json "$corpus")
c_mem=$(peak_mib "$bin" --format json "$corpus")
python3 - "$files" "$bytes" "$c_ms" "$c_mem" <<'PY'
import sys
f, b, ms, mem = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
print(f"| ../shared/corpus | {f} | {b/1e6:.2f} | {ms:.1f} ms | {f/(ms/1000):,.0f} | {b/1e6/(ms/1000):.1f} | {mem} MiB |")
PY
s_ms=$(median_ms "$bin" --format json "$single")
s_mem=$(peak_mib "$bin" --format json "$single")
s_bytes=$(wc -c < "$single")
echo "| one pipeline ($single) | 1 | $(python3 -c "print(f'{$s_bytes/1e6:.3f}')") | $s_ms ms | | | $s_mem MiB |"
