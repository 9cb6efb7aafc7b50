#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, then type-checks, lints and runs every test once.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

# The inspect HTML timeline is checked in a real browser: Debian's Chromium, installed when missing and possible.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  echo "[test] installing chromium (apt-get)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 ||
    echo "[test] could not install chromium; the HTML timeline test will say so" >&2
fi

# The alert rules are checked and unit-tested with promtool: Debian's prometheus package, installed when missing.
# Without it the rules test fails and says how to install it.
if ! command -v promtool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  echo "[test] installing promtool (apt-get install prometheus)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) \
    >/dev/null 2>&1 || echo "[test] could not install promtool; test/unit/prometheus-rules.test.ts will say so" >&2
fi

# The shared governor store is tested against a real Redis: Debian's redis-server, installed when missing. The tests
# start their own server on a free port (test/helpers/redis-server.ts); the package's service is not used.
if ! command -v redis-server >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  echo "[test] installing redis-server (apt-get)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server) \
    >/dev/null 2>&1 || echo "[test] could not install redis-server; the store tests will say so" >&2
fi

# One command per line: `set -e` ignores a failure inside an `a && b` list.
echo "== typecheck"
npx tsc -p tsconfig.json --noEmit
echo "== lint"
npx eslint .
npx prettier --check . >/dev/null
echo "== build"
npx tsc -p tsconfig.build.json
echo "== tests"
report="$(mktemp)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line for tools that read the result from the output.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" || true
rm -f "$report"
exit "$status"
