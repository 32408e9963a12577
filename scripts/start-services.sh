#!/usr/bin/env bash
# Starts the local services the integration tests talk to, when they are down (PostgreSQL, RabbitMQ,
# Mosquitto, NATS with JetStream, Redis). Each check is a TCP probe on loopback; nothing runs when all answer.
set -uo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do up "$port" && return 0; sleep 1; done
  echo "openimm: $name did not come up on port $port" >&2
  return 1
}

if ! up 5432; then
  echo "openimm: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  wait_for 5432 PostgreSQL
fi
if ! up 6379; then
  echo "openimm: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  wait_for 6379 Redis
fi
if ! up 5672; then
  echo "openimm: starting RabbitMQ" >&2
  rabbitmq-server -detached || true
  wait_for 5672 RabbitMQ
fi
if ! up 1883; then
  echo "openimm: starting Mosquitto" >&2
  mosquitto -d -c /etc/mosquitto/mosquitto.conf || true
  wait_for 1883 Mosquitto
fi
if ! up 4222; then
  echo "openimm: starting NATS" >&2
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
  wait_for 4222 NATS
fi
exit 0
