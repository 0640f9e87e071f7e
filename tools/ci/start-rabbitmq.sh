#!/bin/bash
# Start a RabbitMQ broker for the multi-process RPC tests.
#
# For CI images (Debian 12, run as root, no systemd): installs
# rabbitmq-server if absent, starts it detached, waits until it answers,
# and creates user cyborg/cyborg with full rights on vhost "/".
# Idempotent. Tests find it at rabbit://cyborg:cyborg@127.0.0.1:5672/
# (override with CYBORG_TEST_RABBIT_URL).
set -euo pipefail

USER_NAME=${CYBORG_RABBIT_USER:-cyborg}
USER_PASSWORD=${CYBORG_RABBIT_PASSWORD:-cyborg}

# Loopback only: nothing outside this machine may reach the broker.
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-rabbit@localhost}
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_packages rabbitmq-server >/dev/null

if ! rabbitmqctl -q status >/dev/null 2>&1; then
    rabbitmq-server -detached >/dev/null 2>&1 || true
fi

for _ in $(seq 1 60); do
    if rabbitmqctl -q await_startup >/dev/null 2>&1; then
        break
    fi
    sleep 1
done
rabbitmqctl -q await_startup >/dev/null 2>&1 \
    || fail_with_log "RabbitMQ did not start within 60 s" \
        "/var/log/rabbitmq/${RABBITMQ_NODENAME}.log"

if ! rabbitmqctl -q list_users | grep -q "^${USER_NAME}\b"; then
    rabbitmqctl -q add_user "$USER_NAME" "$USER_PASSWORD"
fi
rabbitmqctl -q set_permissions -p / "$USER_NAME" '.*' '.*' '.*'
echo "RabbitMQ ready at rabbit://${USER_NAME}:***@127.0.0.1:5672/"
