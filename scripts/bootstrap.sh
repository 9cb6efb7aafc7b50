#!/usr/bin/env bash
# Sourced by test.sh, demo.sh and bench.sh: installs what a fresh machine lacks, then exports the server paths.
#   - npm packages from the lockfile, when node_modules is missing or older than the lockfile;
#   - the Temporal test server and CLI (scripts/install-temporal-binaries.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[bootstrap] installing npm packages from package-lock.json" >&2
  # Not `npm ci`: registries that do not serve every platform's optional binaries (@swc/core-darwin-*, say) leave
  # those out of the lockfile, and `npm ci` then refuses it as out of sync. `npm install --no-save` installs the
  # same locked versions and never rewrites the lockfile.
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
fi
eval "$(bash scripts/install-temporal-binaries.sh)"
