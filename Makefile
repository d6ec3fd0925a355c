# Two commands matter: `make run` (the site with demo data, nothing else needed) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint up venv migrate seed services browser-deps bench check-deploy clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## The site with demo data on the embedded default (SQLite, in-process cache and tasks).
run: seed
	$(PY) manage.py demo_banner --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The test suite. Real PostgreSQL/Redis/RabbitMQ when DATABASE_URL/REDIS_URL/CELERY_BROKER_URL are set.
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

## The layer contracts (.importlinter) and ruff (pyproject.toml): CI runs both before the tests.
lint: venv
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

## Full stack: web (gunicorn), worker, beat and sandboxes against the real services (see README).
up: venv services
	bash scripts/up.sh

## Start PostgreSQL, Redis and RabbitMQ where they are installed but not running.
services:
	bash scripts/services.sh

browser-deps: venv
	bash scripts/browser-deps.sh

## Every benchmark, one after another, on the full stack (DATABASE_URL etc. as for make test).
## Each prints its figures and writes bench/results/<name>.json with the machine it ran on.
BENCHES := inventory_reserve booking_place pending_caps outbox_relay pages search_cache payments_checkout rewards_redeem channels_inbound channels_push
bench: venv
	@test -n "$$DATABASE_URL" || { echo "benchmarks need the full stack: export DATABASE_URL, REDIS_URL, CELERY_BROKER_URL (README)"; exit 1; }
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(PY) -m bench.$$b || exit 1; done

## Lighthouse (pinned in bench/lighthouse/package.json) on the traveller pages, phone and desktop, in
## Debian's chromium: reports in bench/results/lighthouse/, summary bench/results/lighthouse.json.
.PHONY: lighthouse
lighthouse: venv browser-deps
	npm ci --prefix bench/lighthouse --no-audit --no-fund
	$(PY) -m bench.lighthouse.run $(LIGHTHOUSE_ARGS)

check-deploy: venv
	DJANGO_SETTINGS_MODULE=travel.settings.production $(PY) manage.py check --deploy

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
