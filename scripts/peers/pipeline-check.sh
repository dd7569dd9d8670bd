#!/usr/bin/env bash
# azplint beside pipeline-check (PyPI) on the entry pipelines of ../shared/corpus: see
# docs/comparison.md. Usage: scripts/peers/pipeline-check.sh [WORKDIR] (default /tmp/cmp).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$root/../shared/corpus"
W="${1:-/tmp/cmp}"
mkdir -p "$W/out"
[ -x "$W/venv/bin/pipeline_check" ] || { python3 -m venv "$W/venv"; "$W/venv/bin/pip" install -q pipeline-check==1.19.0 pyyaml; }
"$W/venv/bin/python" "$here/entry-pipelines.py" "$corpus" > "$W/entries.txt"
: > "$W/out/index.tsv"
i=0
while read -r f; do
  i=$((i+1))
  "$W/venv/bin/pipeline_check" --pipeline azure --azure-path "$f" -o json > "$W/out/$i.json" 2> "$W/out/$i.err" || true
  printf '%s\t%s\n' "$i" "$f" >> "$W/out/index.tsv"
done < "$W/entries.txt"
(cd "$root" && cargo build --release -q && ./target/release/azplint check --format json --fail-on never "$corpus"/*/ > "$W/azplint.json")
python3 "$here/pipeline-check-compare.py" "$W"
