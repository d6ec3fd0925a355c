#!/usr/bin/env bash
# Start PostgreSQL, Redis and RabbitMQ where they are installed but not running, enable the
# RabbitMQ plugins the project uses, and wait until each answers. Installs nothing it can
# do without: on a machine with none of them, install them first (README, "Full stack").
set -euo pipefail

say() { printf 'services: %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do port_open "$port" && { say "$name up on $port"; return 0; }; sleep 1; done
  say "$name did not come up on port $port"; return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  else
    say "PostgreSQL is not installed (apt-get install postgresql)"; exit 1
  fi
fi
wait_port PostgreSQL 5432

if ! port_open 6379; then
  if command -v redis-server >/dev/null; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/travel.log
  else
    say "Redis is not installed (apt-get install redis-server)"; exit 1
  fi
fi
wait_port Redis 6379

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    rabbitmq-server -detached
  else
    say "RabbitMQ is not installed (apt-get install rabbitmq-server)"; exit 1
  fi
fi
wait_port RabbitMQ 5672
if command -v rabbitmq-plugins >/dev/null; then
  for _ in $(seq 1 30); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
  rabbitmq-plugins -q enable rabbitmq_consistent_hash_exchange >/dev/null
  say "RabbitMQ plugin rabbitmq_consistent_hash_exchange enabled"
fi
