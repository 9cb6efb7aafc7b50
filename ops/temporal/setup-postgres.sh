#!/bin/sh
# Schema job of the compose stack (temporalio/admin-tools): creates Temporal's two PostgreSQL databases and brings
# their schemas to the versions this admin-tools release ships. Safe to run again: `create` on an existing database
# fails, so it is skipped then, and `update-schema` only applies what is missing.
set -eu
SQL="temporal-sql-tool --plugin postgres12 --ep ${POSTGRES_SEEDS} -p ${DB_PORT} -u ${POSTGRES_USER} --pw ${POSTGRES_PWD}"
SCHEMAS=/etc/temporal/schema/postgresql/v12

until nc -z "${POSTGRES_SEEDS}" "${DB_PORT}"; do
  echo "waiting for ${POSTGRES_SEEDS}:${DB_PORT}"
  sleep 1
done

for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  $SQL --db "$db" create || echo "database $db exists"
  $SQL --db "$db" setup-schema -v 0.0 || echo "schema of $db already set up"
  $SQL --db "$db" update-schema -d "$SCHEMAS/$dir/versioned"
done
echo "temporal schemas ready"
