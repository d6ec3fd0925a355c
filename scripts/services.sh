#!/usr/bin/env bash
# Make PostgreSQL, Redis and RabbitMQ answer on 127.0.0.1: install any that is missing (Debian
# packages, needs root), start any that is stopped, enable the RabbitMQ plugins the project uses,
# and wait until each answers. Safe to run again.
set -euo pipefail

say() { printf 'services: %s\n' "$*"; }

apt_updated=""
apt_install() {
  if [ "$(id -u)" != 0 ]; then say "missing $*: install it (apt-get install $*) or run this as root"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  say "installing $*"
  apt-get install -y -qq "$@" >/dev/null
}

command -v pg_ctlcluster >/dev/null || {
  apt_install postgresql
  # A machine set up here for tests: let local TCP connections in without a password, like CI's.
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    grep -q "travel-ci" "$hba" || sed -i '1i host all all 127.0.0.1/32 trust # travel-ci\nhost all all ::1/128 trust # travel-ci' "$hba"
  done
}
command -v redis-server >/dev/null || apt_install redis-server
command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do port_open "$port" && { say "$name up on $port"; return 0; }; sleep 1; done
  say "$name did not come up on port $port"; return 1
}

if ! port_open 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
fi
wait_port PostgreSQL 5432

if ! port_open 6379; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/travel.log
fi
wait_port Redis 6379

if ! port_open 5672; then
  rabbitmq-server -detached
fi
wait_port RabbitMQ 5672
for _ in $(seq 1 30); do rabbitmqctl -q status >/dev/null 2>&1 && break; sleep 1; done
rabbitmq-plugins -q enable rabbitmq_consistent_hash_exchange >/dev/null
say "RabbitMQ plugin rabbitmq_consistent_hash_exchange enabled"
