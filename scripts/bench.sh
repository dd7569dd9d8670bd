#!/usr/bin/env bash
# Benchmark azplint (release build) and, side by side in the same run, the peers that are
# installed: Microsoft's schema validator (scripts/peers/ms-validate.js) and Checkov's
# `azure_pipelines` framework. Reports, for each tool and input, the median wall time of N runs,
# throughput and peak memory (max RSS, from GNU time), then the targets of issue 17, each measured
# in this run: the corpus against Microsoft's validator (ratio), one pipeline against
# `azplint --version` (ratio), the corpus copied 10 times (time and peak RSS), and one pipeline
# with its 40-file template closure.
#
# Usage: scripts/bench.sh [RUNS] [PEER_RUNS]
#   RUNS       runs of each azplint measurement (default 15)
#   PEER_RUNS  runs of each peer measurement (default 3)
#   BENCH_PEERS=0 skips the peers; CHECKOV=/path/to/checkov picks a Checkov (default: the one
#   scripts/bench-peers.sh installs in target/peers/venv, else `checkov` on PATH);
#   AZPLINT=/path/to/azplint measures that binary instead of building this tree's.
# Needs ../shared/corpus, python3 and GNU time (/usr/bin/time). scripts/bench-peers.sh installs
# the peers, then runs this script.
#
# Inputs:
#   corpus       ../shared/corpus, each repository directory its own root (templates resolved)
#   corpus x10   the corpus copied 10 times into a temporary directory
#   one pipeline fixtures/wif-unsupported-task/fail-steps.yml copied as azure-pipelines.yml
#                (process start to exit), beside `azplint --version` (start and exit alone)
#   closure      ../shared/corpus/dotnet__arcade/azure-pipelines.yml linted alone from its
#                repository root: its templates (40 files) are read and linted with it
# Checkov's azure_pipelines framework reads only files named *azure-pipelines.yml/.yaml (3 of the
# corpus's 1,261 files) and runs 4 checks (container image tags and digests, secret variables).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
peer_runs=${2:-3}
corpus=../shared/corpus
schema=../shared/data/service-schema.json
fixture=fixtures/wif-unsupported-task/fail-steps.yml
closure_repo=$corpus/dotnet__arcade
closure_file=azure-pipelines.yml
[ -d "$corpus" ] || { echo "no $corpus: nothing to measure" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed for peak memory" >&2; exit 1; }

if [ -n "${AZPLINT:-}" ]; then
  bin=$(realpath "$AZPLINT") # another build to compare with, e.g. the previous commit's
else
  cargo build --release --quiet
  bin=$PWD/target/release/azplint
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq 0 9); do cp -r "$corpus" "$tmp/c$i"; done
# The single pipeline is named azure-pipelines.yml: Checkov reads no other file name.
mkdir -p "$tmp/single"
single=$tmp/single/azure-pipelines.yml
cp "$fixture" "$single"
results=$tmp/results.tsv
: >"$results"

# yaml_stats PATH...: "<files> <bytes>" of the *.yml/*.yaml files under PATH.
yaml_stats() {
  local files bytes
  files=$(find "$@" \( -name '*.yml' -o -name '*.yaml' \) -type f | wc -l)
  bytes=$(find "$@" \( -name '*.yml' -o -name '*.yaml' \) -type f -print0 | xargs -0 cat | wc -c)
  echo "$files $bytes"
}

# median_ms N CMD...: run CMD N times (after one warm-up run), print the median wall time in ms.
# Timed from just before the process is spawned to just after it is reaped (posix_spawn and
# wait4 in one Python process), so no helper process (`date`, a subshell) is counted.
median_ms() {
  local n=$1; shift
  python3 - "$n" "$@" <<'TIMER'
import os, statistics, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
null = os.open(os.devnull, os.O_WRONLY)
actions = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
def once():
    start = time.perf_counter_ns()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=actions)
    os.waitpid(pid, 0)
    return (time.perf_counter_ns() - start) / 1e6
once()
print(f"{statistics.median(once() for _ in range(n)):.1f}")
TIMER
}

# peak_mib CMD...: peak resident memory of one run, in MiB.
peak_mib() {
  local log; log=$(mktemp)
  /usr/bin/time -f '%M' -o "$log" "$@" >/dev/null 2>&1 || true
  python3 -c 'import sys; print(f"{int(open(sys.argv[1]).read().split()[-1])/1024:.1f}")' "$log"
  rm -f "$log"
}

# measure TOOL INPUT RUNS "FILES BYTES" CMD...: one row of the table.
measure() {
  local tool=$1 input=$2 n=$3 stats=$4; shift 4
  echo "  $tool on $input ($n runs)..." >&2
  local ms mib
  ms=$(median_ms "$n" "$@")
  mib=$(peak_mib "$@")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$input" "$stats" "$ms" "$mib" "$n" >>"$results"
}

# Each repository directory is its own root, as when linting a checkout.
mapfile -t roots < <(ls -d "$corpus"/*/)
mapfile -t roots10 < <(ls -d "$tmp"/c*/*/)
corpus_stats=$(yaml_stats "$corpus")
corpus10_stats=$(yaml_stats "$tmp"/c*)
single_stats="1 $(wc -c <"$single")"

echo "machine: $(nproc) cores, $(uname -sr); azplint runs: $runs, peer runs: $peer_runs (median)" >&2
measure azplint corpus "$runs" "$corpus_stats" "$bin" --format json --fail-on never "${roots[@]}"
# Microsoft's validator on the corpus right after azplint, so that both see the same machine.
ms_installed=0
if [ "${BENCH_PEERS:-1}" != 0 ] && [ -d scripts/peers/node_modules/azure-pipelines-language-service ] \
  && command -v node >/dev/null; then
  ms_installed=1
  measure "Microsoft validator" corpus "$peer_runs" "$corpus_stats" \
    node scripts/peers/ms-validate.js --schema "$schema" "$corpus"
fi
measure azplint "corpus x10" "$runs" "$corpus10_stats" "$bin" --format json --fail-on never "${roots10[@]}"
measure azplint "one pipeline" "$runs" "$single_stats" "$bin" --format json --fail-on never "$single"
measure azplint "--version" "$runs" "0 0" "$bin" --version
if [ -f "$closure_repo/$closure_file" ]; then
  # The files it reads: the pipeline and its template closure, as the run reports them.
  closure_files=$(cd "$closure_repo" && "$bin" check --format json --fail-on never "$closure_file" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["files"])')
  # Linted from the repository directory, as a pre-commit hook or an editor would.
  (cd "$closure_repo" && measure azplint "closure" "$runs" "$closure_files 0" \
    "$bin" check --format json --fail-on never "$closure_file")
else
  echo "no $closure_repo/$closure_file: the closure row is skipped" >&2
fi

if [ "${BENCH_PEERS:-1}" != 0 ]; then
  if [ "$ms_installed" = 1 ]; then
    measure "Microsoft validator" "one pipeline" "$peer_runs" "$single_stats" \
      node scripts/peers/ms-validate.js --schema "$schema" "$single"
  else
    echo "Microsoft validator not installed (scripts/bench-peers.sh, or npm ci --prefix scripts/peers): skipped" >&2
  fi
  checkov=${CHECKOV:-}
  [ -n "$checkov" ] || { [ -x target/peers/venv/bin/checkov ] && checkov=target/peers/venv/bin/checkov; } || true
  [ -n "$checkov" ] || checkov=$(command -v checkov || true)
  if [ -n "$checkov" ]; then
    measure Checkov corpus "$peer_runs" "$corpus_stats" \
      "$checkov" -d "$corpus" --framework azure_pipelines --quiet --compact -o json --skip-download
    measure Checkov "one pipeline" "$peer_runs" "$single_stats" \
      "$checkov" -f "$single" --framework azure_pipelines --quiet --compact -o json --skip-download
  else
    echo "Checkov not installed (scripts/bench-peers.sh, or pip install checkov): skipped" >&2
  fi
else
  echo "peers skipped (BENCH_PEERS=0)" >&2
fi

python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print("| tool | input | files | MB | median wall | files/s | MB/s | peak RSS | runs |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
by = {}
for tool, inp, stats, ms, mib, n in rows:
    files, size = (int(x) for x in stats.split())
    ms, mib = float(ms), float(mib)
    by[(tool, inp)] = (ms, mib, files, size)
    s = ms / 1000
    wall = f"{ms:,.1f} ms" if ms < 10000 else f"{s:,.1f} s"
    rate = "" if files <= 1 or inp == "closure" else f"{files / s:,.0f}"
    mbs = "" if files <= 1 or inp == "closure" else f"{size / 1e6 / s:,.1f}"
    shown_files = "" if inp == "--version" else f"{files:,}"
    shown_mb = "" if inp in ("--version", "closure") else f"{size / 1e6:.2f}"
    print(f"| {tool} | {inp} | {shown_files} | {shown_mb} | {wall} | {rate} | {mbs} | {mib:.1f} MiB | {n} |")
print()
a1, a10 = by.get(("azplint", "corpus")), by.get(("azplint", "corpus x10"))
if a1 and a10:
    print(f"Scaling, corpus -> corpus x10 ({a10[2] / a1[2]:.0f}x the files, {a10[3] / a1[3]:.1f}x the bytes): "
          f"time {a1[0]:.1f} ms -> {a10[0]:.1f} ms ({a10[0] / a1[0]:.1f}x), "
          f"peak RSS {a1[1]:.1f} MiB -> {a10[1]:.1f} MiB ({a10[1] / a1[1]:.1f}x)")
print()
print("Targets (issue 17), measured in this run:")
print("| what | measured | target |")
print("|---|---|---|")
ms = by.get(("Microsoft validator", "corpus"))
if a1 and ms:
    print(f"| corpus vs Microsoft's validator | {ms[0] / a1[0]:.1f}x faster ({a1[0]:.1f} ms vs {ms[0]:,.1f} ms) | at least 40x |")
else:
    print(f"| corpus vs Microsoft's validator | azplint {a1[0]:.1f} ms; validator skipped (not installed: scripts/bench-peers.sh) | at least 40x |" if a1 else "| corpus | not measured | |")
one, ver = by.get(("azplint", "one pipeline")), by.get(("azplint", "--version"))
if one and ver:
    print(f"| one pipeline vs `azplint --version` | {one[0]:.1f} ms vs {ver[0]:.1f} ms: {one[0] / ver[0]:.2f}x | at most 2x |")
if a10:
    print(f"| corpus x10 ({a10[2]:,} files) | {a10[0]:,.1f} ms ({a10[0] / a1[0]:.1f}x the corpus), peak RSS {a10[1]:.1f} MiB | linear time, at most 100 MiB |")
cl = by.get(("azplint", "closure"))
if cl:
    print(f"| dotnet__arcade/azure-pipelines.yml with its closure ({cl[2]} files) | {cl[0]:.1f} ms, peak RSS {cl[1]:.1f} MiB | at most 8 ms |")
print()
for peer in ("Microsoft validator", "Checkov"):
    p = by.get((peer, "corpus"))
    if a1 and p:
        ps = by.get((peer, "one pipeline"))
        a_s = by.get(("azplint", "one pipeline"))
        extra = f"; one pipeline: {ps[0] / a_s[0]:.0f}x" if ps and a_s else ""
        print(f"azplint vs {peer}: corpus {p[0] / a1[0]:.0f}x faster, {p[1] / a1[1]:.0f}x less memory{extra}")
PY
