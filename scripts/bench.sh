#!/usr/bin/env bash
# The benchmarks (`npm run bench`): installs what is missing, runs every scenario, writes bench/RESULTS.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec node --expose-gc --import tsx bench/run.ts "$@"
