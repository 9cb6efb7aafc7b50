#!/usr/bin/env bash
# The benchmarks (`npm run bench`): installs what is missing, runs every scenario, writes bench/RESULTS.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
npm run build >/dev/null
node --expose-gc --import tsx bench/run.ts "$@"
# The run rewrote the tables in bench/results/ and docs/benchmarks.md; keep them in the project's format.
npx prettier --write docs/benchmarks.md bench/results >/dev/null
