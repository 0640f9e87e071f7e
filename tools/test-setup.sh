#!/bin/bash
# Install and start the servers the functional tests use: MariaDB,
# PostgreSQL (migration and DB tests) and RabbitMQ (multi-process RPC
# tests), all from Debian packages and listening on loopback only.
# A server that cannot be started is reported; the tests that need it then
# skip with that reason, the rest of the suite still runs.
cd "$(dirname "$0")/.." || exit 1
status=0
for server in mysql postgresql rabbitmq; do
    if ! bash "tools/ci/start-${server}.sh"; then
        echo "WARNING: could not start ${server}; tests that need it will skip" >&2
        status=1
    fi
done
# Never fail the set-up itself: a missing server only skips its tests.
exit 0
