#!/usr/bin/env bash
# Install the peers that scripts/bench.sh compares azplint with, then run the benchmark.
#   Microsoft's validator: azure-pipelines-language-service, pinned in scripts/peers/package.json
#     (npm registry; needs node and npm), run with ../shared/data/service-schema.json.
#   Checkov: its `azure_pipelines` framework (PyPI; needs python3 with venv), installed in
#     target/peers/venv so that nothing outside the project changes.
# Usage: scripts/bench-peers.sh [RUNS] [PEER_RUNS]   (passed on to scripts/bench.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d scripts/peers/node_modules/azure-pipelines-language-service ]; then
  npm ci --prefix scripts/peers
fi
if [ ! -x target/peers/venv/bin/checkov ]; then
  mkdir -p target/peers
  python3 -m venv target/peers/venv
  target/peers/venv/bin/pip install --quiet checkov
fi
echo "Microsoft validator: azure-pipelines-language-service $(node -p "require('./scripts/peers/node_modules/azure-pipelines-language-service/package.json').version")" >&2
echo "Checkov: $(target/peers/venv/bin/checkov --version)" >&2
CHECKOV=target/peers/venv/bin/checkov exec scripts/bench.sh "$@"
