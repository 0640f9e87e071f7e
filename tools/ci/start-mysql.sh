#!/bin/bash
# Start a MariaDB server for the functional database tests.
#
# For CI images (Debian 12, run as root, no systemd): installs
# mariadb-server if absent, starts mysqld_safe in the background, waits
# until it answers, then creates user cyborg/cyborg (allowed to create the
# cyborg_* databases the tests make and drop) and database cyborg_test.
# Idempotent: running it again only checks that all of this is in place.
#
# Tests find the server at mysql+pymysql://cyborg:cyborg@127.0.0.1/cyborg_test
# (override with CYBORG_TEST_MYSQL_URL).
set -euo pipefail

DB_USER=${CYBORG_DB_USER:-cyborg}
DB_PASSWORD=${CYBORG_DB_PASSWORD:-cyborg}
DB_NAME=${CYBORG_DB_NAME:-cyborg_test}
LOG=${CYBORG_MYSQL_LOG:-/var/log/cyborg-ci-mysqld.log}

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

alive() {
    mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1
}

need_packages mariadb-server mariadb-client

if ! alive; then
    install -d -o mysql -g mysql /run/mysqld
    if [ ! -d /var/lib/mysql/mysql ]; then
        mariadb-install-db --user=mysql --datadir=/var/lib/mysql \
            >/dev/null
    fi
    echo "Starting mysqld_safe (log: $LOG)"
    # A throwaway test server: durability traded for speed (schema
    # migrations are DDL-heavy and every DDL statement would fsync).
    setsid nohup mysqld_safe --bind-address=127.0.0.1 \
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        --innodb-flush-method=nosync --sync-binlog=0 \
        >"$LOG" 2>&1 </dev/null &
    for _ in $(seq 1 60); do
        alive && break
        sleep 1
    done
    alive || fail_with_log "MariaDB did not start within 60 s" "$LOG"
fi

mysql --protocol=socket -uroot <<SQL
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost'
    IDENTIFIED BY '${DB_PASSWORD}';
CREATE USER IF NOT EXISTS '${DB_USER}'@'127.0.0.1'
    IDENTIFIED BY '${DB_PASSWORD}';
GRANT ALL PRIVILEGES ON \`cyborg\\_%\`.* TO '${DB_USER}'@'localhost';
GRANT ALL PRIVILEGES ON \`cyborg\\_%\`.* TO '${DB_USER}'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8;
FLUSH PRIVILEGES;
SQL

mysql -h127.0.0.1 -u"$DB_USER" -p"$DB_PASSWORD" "$DB_NAME" \
    -e 'SELECT VERSION()' >/dev/null
echo "MariaDB ready: mysql+pymysql://${DB_USER}:***@127.0.0.1/${DB_NAME}"
