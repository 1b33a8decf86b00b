#!/usr/bin/env bash
# Fails when committed generated files (contract artifacts, GraphQL SDL, dashboards) differ from what the code generates.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/fix-lockfile.mjs --check
node scripts/build-contracts.mjs --check
node libs/evm/src/exact/probe/build-probe.js --check
node scripts/generate-dashboards.mjs --check
node scripts/check-graphql-schema.mjs
echo "generated files are current"
