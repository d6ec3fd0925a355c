#!/usr/bin/env bash
# A run of its own on the shared services: a new RabbitMQ vhost, a new PostgreSQL database (and
# its test database name) and an empty Redis database number, none of which an earlier run made.
#
#   eval "$(bash scripts/fresh-stack.sh create NAME)"   # prints the exports for this run
#   bash scripts/fresh-stack.sh drop NAME REDIS_DB        # removes them again
#
# NAME is letters, digits and underscores. Needs PostgreSQL, Redis and RabbitMQ up (services.sh).
set -euo pipefail

action=${1:?usage: fresh-stack.sh create NAME | drop NAME REDIS_DB}
name=${2:?usage: fresh-stack.sh create NAME | drop NAME REDIS_DB}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "fresh-stack: NAME must be lower-case letters, digits, _" >&2; exit 2; }

PG=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -d postgres)
db="travel_$name"
vhost="travel_$name"

# Which run holds which Redis database number: a hash in database 0, outside the numbers handed
# out, because a run flushes its own number (a claim kept there would vanish with it).
CLAIMS=fresh-stack:claims

drop_all() {
  local redis_db=$1
  "${PG[@]}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP DATABASE IF EXISTS test_$db WITH (FORCE)" >&2
  rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true
  if [ -n "$redis_db" ]; then
    redis-cli -n "$redis_db" flushdb >/dev/null
    [ "$(redis-cli -n 0 hget $CLAIMS "$redis_db")" != "$name" ] || redis-cli -n 0 hdel $CLAIMS "$redis_db" >/dev/null
  fi
}

empty_redis_db() {
  local count
  count=$(redis-cli config get databases | tail -1)
  for n in $(seq 1 $((count - 1))); do
    # unclaimed and empty, and claimed at once (HSETNX) so that a run starting beside this one
    # picks another
    if [ "$(redis-cli -n "$n" dbsize)" = 0 ] && [ "$(redis-cli -n 0 hsetnx $CLAIMS "$n" "$name")" = 1 ]; then
      echo "$n"; return 0
    fi
  done
  echo "fresh-stack: no unclaimed empty Redis database number left (of $count)" >&2; return 1
}

case $action in
  create)
    drop_all ""  # a leftover of the same name (a killed run) never carries over
    "${PG[@]}" -c "CREATE DATABASE $db" >&2
    rabbitmqctl -q add_vhost "$vhost" >&2
    rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >&2
    redis_db=$(empty_redis_db)
    cat <<OUT
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db
export TEST_DATABASE_NAME=test_$db
export REDIS_URL=redis://127.0.0.1:6379/$redis_db
export CACHE_KEY_PREFIX=$name
export CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/$vhost
export FRESH_STACK_REDIS_DB=$redis_db
OUT
    ;;
  drop)
    drop_all "${3:-}"
    ;;
  *) echo "fresh-stack: unknown action $action" >&2; exit 2 ;;
esac
