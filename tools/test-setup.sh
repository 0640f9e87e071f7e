#!/bin/bash
# Install and start the servers the functional tests use: MariaDB,
# PostgreSQL (migration and DB tests) and RabbitMQ (multi-process RPC
# tests), all from Debian packages and listening on loopback only.
#
# In CI (CI=true, as .ci/run is run; or CYBORG_TEST_REQUIRE_SERVERS=1)
# every server is required: one that does not start fails this script,
# after printing what its start script said and the tail of its log, and
# the test session would refuse to run without it anyway. In a
# developer's local run a server that cannot be started is reported, and
# the tests that need it skip, each saying which server and why.
cd "$(dirname "$0")/.." || exit 1
# The start scripts' folder; tests point it elsewhere to exercise failures.
scripts=${CYBORG_CI_SCRIPTS:-tools/ci}

required=0
flag=${CYBORG_TEST_REQUIRE_SERVERS:-}
if [ -n "$flag" ]; then
    case "${flag,,}" in 1|true|yes|on) required=1 ;; esac
else
    case "${CI:-}" in [Tt]rue|1|yes|on) required=1 ;; esac
fi

failed=()
for server in mysql postgresql rabbitmq; do
    out=$(mktemp)
    if bash "${scripts}/start-${server}.sh" >"$out" 2>&1; then
        cat "$out"
    else
        rc=$?
        failed+=("$server")
        {
            echo "ERROR: ${server} did not start (exit ${rc});" \
                 "tools/ci/start-${server}.sh said:"
            sed 's/^/    /' "$out"
        } >&2
    fi
    rm -f "$out"
done

[ ${#failed[@]} -eq 0 ] && exit 0
if [ "$required" = 1 ]; then
    echo "FAILED: required test servers did not start: ${failed[*]}" >&2
    exit 1
fi
echo "WARNING: not started: ${failed[*]}; the tests that need them will" \
     "skip (a CI run fails instead)" >&2
exit 0
