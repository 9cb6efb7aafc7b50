#!/bin/sh
# Namespace job of the compose stack (temporalio/admin-tools): creates DEFAULT_NAMESPACE once the server answers.
set -eu
until temporal operator cluster health --address "${TEMPORAL_ADDRESS}"; do
  echo "waiting for ${TEMPORAL_ADDRESS}"
  sleep 2
done
temporal operator namespace describe --address "${TEMPORAL_ADDRESS}" -n "${DEFAULT_NAMESPACE}" >/dev/null 2>&1 ||
  temporal operator namespace create --address "${TEMPORAL_ADDRESS}" -n "${DEFAULT_NAMESPACE}" --retention 72h
echo "namespace ${DEFAULT_NAMESPACE} ready"
