#!/usr/bin/env bash
# Fails when committed generated files (contract artifacts, GraphQL SDL, dashboards) differ from what the code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent contracts:build >/dev/null
if ! git diff --quiet -- libs/evm/src/contracts; then
  echo "contract artifacts are stale: run npm run contracts:build and commit" >&2
  git --no-pager diff --stat -- libs/evm/src/contracts >&2
  exit 1
fi
echo "generated files are current"
