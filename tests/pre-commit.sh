#!/usr/bin/env bash
# The pre-commit hook, tried with the real `pre-commit` tool on a temporary repository: it must
# block a commit of a bad pipeline and let a good one through. Needs python3 and network access to
# PyPI (for pre-commit itself); pre-commit builds azplint with cargo.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v pre-commit >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q
git config user.email ci@example.invalid
git config user.name ci
cat > good.yml <<'YAML'
trigger: none
steps:
- task: AzureFileCopy@6
  inputs:
    SourcePath: drop
    azureSubscription: prod-wif
    Destination: AzureBlob
    storage: contosostore
    ContainerName: drop
YAML
cat > bad.yml <<'YAML'
trigger: none
steps:
- task: AzureFileCopy@5
  inputs:
    SourcePath: drop
    azureSubscription: prod-wif
    Destination: AzureBlob
    storage: contosostore
    ContainerName: drop
YAML
# Not a pipeline: the hook must not lint it although pre-commit passes every YAML file.
printf 'version: "3"\nservices:\n  db: {}\n' > docker-compose.yml
git add good.yml bad.yml docker-compose.yml
if pre-commit try-repo "$repo" azplint --files bad.yml > bad.log 2>&1; then
  cat bad.log
  echo "pre-commit: the hook let bad.yml through" >&2
  exit 1
fi
grep -q "wif-unsupported-task" bad.log || { cat bad.log; echo "pre-commit: no wif-unsupported-task in the hook's output" >&2; exit 1; }
if ! pre-commit try-repo "$repo" azplint --files good.yml docker-compose.yml > good.log 2>&1; then
  cat good.log
  echo "pre-commit: the hook blocked good.yml" >&2
  exit 1
fi
echo "pre-commit: 2 passed, 0 failed"
