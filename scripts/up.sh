#!/usr/bin/env bash
# Full stack on this machine: web (gunicorn), Celery worker and beat, and the sandboxes, against
# PostgreSQL, Redis and RabbitMQ. Values already in the environment win over these defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/travel}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-amqp://guest:guest@127.0.0.1:5672//}
export PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://127.0.0.1:$PORT}
export SUPPLIER_API_URL=${SUPPLIER_API_URL:-http://127.0.0.1:8101}
export PAYMENT_API_URL=${PAYMENT_API_URL:-http://127.0.0.1:8102}
export RATES_API_URL=${RATES_API_URL:-http://127.0.0.1:8103}
export OTA_API_URL=${OTA_API_URL:-http://127.0.0.1:8104}
export OTA_WEBHOOK_URL_BASE=${OTA_WEBHOOK_URL_BASE:-$SITE_URL/channels/webhooks}
# Metrics (docs/observability.md): every process (web workers, Celery workers) counts into files
# here and /metrics adds them up; emptied at each start, as prometheus-client's multiprocess mode needs.
export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$PWD/.metrics}
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

dbname=${DATABASE_URL##*/}
createdb -h 127.0.0.1 -U postgres "$dbname" 2>/dev/null || true

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py demo_banner --port "$PORT"
exec .venv/bin/honcho start -f Procfile
