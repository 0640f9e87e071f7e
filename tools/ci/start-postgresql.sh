#!/bin/bash
# Start a PostgreSQL server for the functional database tests.
#
# For CI images (Debian 12, run as root, no systemd): installs postgresql
# if absent, creates and starts the Debian cluster with pg_ctlcluster,
# waits until it accepts connections, then creates role cyborg/cyborg
# (CREATEDB: the tests make and drop their own databases) and database
# cyborg_test. Idempotent.
#
# Tests find the server at
# postgresql+psycopg2://cyborg:cyborg@127.0.0.1/cyborg_test
# (override with CYBORG_TEST_POSTGRESQL_URL).
set -euo pipefail

DB_USER=${CYBORG_DB_USER:-cyborg}
DB_PASSWORD=${CYBORG_DB_PASSWORD:-cyborg}
DB_NAME=${CYBORG_DB_NAME:-cyborg_test}
CLUSTER=${CYBORG_PG_CLUSTER:-main}

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_packages postgresql postgresql-client

VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $CLUSTER"
then
    pg_createcluster "$VERSION" "$CLUSTER" >/dev/null
fi

alive() {
    pg_isready -q -h 127.0.0.1 -p "$PORT"
}

PORT=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" \
    '$1 == v && $2 == c {print $3}')
if ! alive; then
    echo "Starting PostgreSQL $VERSION/$CLUSTER on port $PORT"
    PGLOG=/var/log/postgresql/postgresql-${VERSION}-${CLUSTER}.log
    pg_ctlcluster "$VERSION" "$CLUSTER" start \
        || fail_with_log "pg_ctlcluster could not start PostgreSQL" "$PGLOG"
    for _ in $(seq 1 60); do
        alive && break
        sleep 1
    done
    alive || fail_with_log "PostgreSQL did not start within 60 s" "$PGLOG"
fi

psql_admin() {
    (cd / && runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qAt "$@")
}

# A throwaway test server: durability traded for speed (DDL-heavy tests).
for setting in "fsync = off" "synchronous_commit = off" \
        "full_page_writes = off"; do
    psql_admin -c "ALTER SYSTEM SET $setting"
done
psql_admin -c 'SELECT pg_reload_conf()' >/dev/null

if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER'")" ]
then
    psql_admin -c "CREATE ROLE \"$DB_USER\" LOGIN CREATEDB"
fi
psql_admin -c "ALTER ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD'"
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]
then
    psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
fi

PGPASSWORD=$DB_PASSWORD psql -h 127.0.0.1 -p "$PORT" -U "$DB_USER" \
    -d "$DB_NAME" -qAt -c 'SELECT version()' >/dev/null
echo "PostgreSQL ready: postgresql+psycopg2://${DB_USER}:***@127.0.0.1:${PORT}/${DB_NAME}"
