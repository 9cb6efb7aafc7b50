#!/usr/bin/env bash
# Sourced by test.sh, demo.sh and bench.sh: installs what a fresh machine lacks, then exports the server paths.
#   - npm packages from the lockfile (npm ci), when node_modules is missing or older than the lockfile;
#   - the Temporal test server and CLI (scripts/install-temporal-binaries.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[bootstrap] installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
eval "$(bash scripts/install-temporal-binaries.sh)"
