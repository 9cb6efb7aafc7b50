#!/usr/bin/env bash
# The demo (`npm run demo`): installs what is missing, then runs the reference app end to end and prints a report.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
exec npx tsx examples/demo.ts "$@"
