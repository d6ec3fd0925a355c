"""Production refuses a half-configured deployment with a one-line reason."""
import os
import subprocess
import sys

from django.conf import settings

STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz!@#$"
FULL = {
    "SECRET_KEY": STRONG_KEY,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/travel",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
    "ALLOWED_HOSTS": "travel.example",
}


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in FULL}
    env.update(DJANGO_SETTINGS_MODULE="travel.settings.production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", **{k: v for k, v in FULL.items() if k != "SECRET_KEY"})

    assert result.returncode != 0
    assert "production needs SECRET_KEY" in result.stderr


def test_production_on_sqlite_refuses_to_start():
    result = run_manage("check", **{**FULL, "DATABASE_URL": "sqlite:///x.sqlite3"})

    assert result.returncode != 0
    assert "production needs DATABASE_URL (PostgreSQL)" in result.stderr


def test_production_without_a_broker_refuses_to_start():
    result = run_manage("check", **{k: v for k, v in FULL.items() if k != "CELERY_BROKER_URL"})

    assert result.returncode != 0
    assert "production needs CELERY_BROKER_URL" in result.stderr


def test_check_deploy_is_clean_when_everything_is_set():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **FULL)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
