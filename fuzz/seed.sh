#!/usr/bin/env bash
# Fill fuzz/corpus/lint with seeds for libFuzzer: every fixture, and ../shared/corpus when present
# (files up to 64 KiB, names flattened).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/lint
n=0
while IFS= read -r -d '' f; do
  [ "$(wc -c <"$f")" -le 65536 ] || continue
  cp "$f" "corpus/lint/$(echo "$f" | sed 's|^\.\./||; s|/|__|g')"
  n=$((n + 1))
done < <(find ../fixtures ../../shared/corpus \( -name '*.yml' -o -name '*.yaml' \) -type f -print0 2>/dev/null)
echo "$n seeds in fuzz/corpus/lint"
