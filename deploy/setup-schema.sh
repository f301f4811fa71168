#!/bin/sh
# Creates Temporal's two PostgreSQL databases when they are missing and brings their schemas to the
# version of this temporal-sql-tool (its release's schema is compiled into it), then exits 0; compose
# starts the server only once this has succeeded. The same script sets up the native run
# (src/local/production), with the temporal-sql-tool built from the same release.
#
# Runs in the temporalio/admin-tools image (Alpine, POSIX sh). Environment:
#   POSTGRES_SEEDS, DB_PORT       host and port of PostgreSQL
#   POSTGRES_USER, POSTGRES_PWD   a user that may create databases
#   DBNAME                        the main database (default temporal)
#   VISIBILITY_DBNAME             the visibility database (default temporal_visibility)
#   ISCFLOW_SCHEMA_WAIT_SECONDS   how long to wait for PostgreSQL to accept connections (default 120)
#
# Idempotent: every `docker compose up` runs it. An existing database is kept, `setup-schema -v 0.0`
# does nothing on a schema past 0.0, and `update-schema` applies only the versions not yet applied: this is
# also how a Temporal upgrade migrates the schema (docs/deployment.md).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${DB_PORT:?DB_PORT is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PWD:?POSTGRES_PWD is required}"
main_db="${DBNAME:-temporal}"
visibility_db="${VISIBILITY_DBNAME:-temporal_visibility}"
wait_seconds="${ISCFLOW_SCHEMA_WAIT_SECONDS:-120}"

# The tool reads these instead of flags, which keeps the password out of the process list.
export SQL_PLUGIN=postgres12 SQL_HOST="$POSTGRES_SEEDS" SQL_PORT="$DB_PORT" SQL_USER="$POSTGRES_USER"
export SQL_PASSWORD="$POSTGRES_PWD"

# The tool creates a database only when it is missing (and the postgres image creates one named after
# its user on a new volume). Until PostgreSQL accepts connections it fails: wait and try again.
create_database() {
  db=$1
  waited=0
  until out=$(temporal-sql-tool --database "$db" create-database 2>&1); do
    if [ "$waited" -ge "$wait_seconds" ]; then
      echo "database $db: not reachable at $POSTGRES_SEEDS:$DB_PORT after ${wait_seconds}s: $out" >&2
      return 1
    fi
    echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT ..."
    sleep 2
    waited=$((waited + 2))
  done
  echo "database $db: present"
}

setup() {
  db=$1
  schema=$2
  create_database "$db"
  temporal-sql-tool --database "$db" setup-schema -v 0.0
  temporal-sql-tool --database "$db" update-schema --schema-name "$schema"
  echo "database $db: schema $schema up to date"
}

setup "$main_db" postgresql/v12/temporal
setup "$visibility_db" postgresql/v12/visibility
echo "Temporal schemas ready"
