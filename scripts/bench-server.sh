#!/usr/bin/env bash
# Measure the language server: the time from a `didChange` to its `publishDiagnostics` on a
# 2,000-line pipeline that calls a template from every job (median of 30 edits), with the release
# build driven over stdio like an editor. A measurement, not a test: nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --test server bench_did_change -- --ignored --nocapture 2>&1 | grep -E "didChange|test result"
