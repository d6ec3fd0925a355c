"""Production refuses a half-configured deployment with a one-line reason, never starts a sandbox
in-process, and never offers "Simulate payment"."""
import os
import subprocess
import sys

import pytest
from django.conf import settings

STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz!@#$"
FULL = {
    "SECRET_KEY": STRONG_KEY,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/travel",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
    "ALLOWED_HOSTS": "travel.example",
    "PAYMENT_API_URL": "https://pay.example/",
    "PAYMENT_API_KEY": "a-real-processor-key",
    "PAYMENT_WEBHOOK_SECRET": "a-real-webhook-secret",
    "SUPPLIER_API_URL": "https://supplier.example/",
    "RATES_API_URL": "https://rates.example/",
    "OTA_API_URL": "https://ota.example",
    "CHANNEL_BOOKING_COM_USER": "hotel-chain", "CHANNEL_BOOKING_COM_PASSWORD": "real-password",
    "CHANNEL_BOOKING_COM_WEBHOOK_SECRET": "real-bcom-secret",
    "CHANNEL_EXPEDIA_USER": "hotel-chain", "CHANNEL_EXPEDIA_PASSWORD": "real-password",
    "CHANNEL_EXPEDIA_WEBHOOK_SECRET": "real-expedia-secret",
    "CHANNEL_AGODA_API_KEY": "real-agoda-key", "CHANNEL_AGODA_WEBHOOK_SECRET": "real-agoda-secret",
    "CHANNEL_TRAVELOKA_TOKEN": "real-traveloka-token",
    "CHANNEL_TRIP_COM_KEY": "real-trip-key", "CHANNEL_TRIP_COM_SECRET": "real-trip-secret",
}
# Whatever the developer's shell or CI has set must not leak into what production sees.
SCRUBBED = {*FULL, "DEBUG", "PAYMENT_SANDBOX_CONTROLS", "CHANNEL_SANDBOX_CONTROLS", "CHANNELS_ENABLED"}

PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.PAYMENT_SANDBOX_CONTROLS, settings.SANDBOXES_IN_PROCESS, settings.DEBUG, "
    "settings.CHANNEL_SANDBOX_CONTROLS)"
)


def _env(overrides: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(DJANGO_SETTINGS_MODULE="travel.settings.production", **overrides)
    return env


def run_manage(*args, **env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=_env(env_overrides),
        capture_output=True, text=True,
    )


def without(*names: str, **changes) -> dict:
    return {k: v for k, v in FULL.items() if k not in names} | changes


def test_production_starts_with_exactly_the_required_variables():
    result = run_manage("check", **FULL)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", **without("SECRET_KEY"))

    assert result.returncode != 0
    assert "production needs SECRET_KEY" in result.stderr


def test_production_on_sqlite_refuses_to_start():
    result = run_manage("check", **without(DATABASE_URL="sqlite:///x.sqlite3"))

    assert result.returncode != 0
    assert "production needs DATABASE_URL (PostgreSQL)" in result.stderr


@pytest.mark.parametrize("missing", [name for name in FULL if name != "DATABASE_URL"])
def test_production_refuses_to_start_without_each_required_variable(missing):
    result = run_manage("check", **without(missing))

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f"django.core.exceptions.ImproperlyConfigured: production needs {missing}")


@pytest.mark.parametrize("name, value", [
    ("PAYMENT_API_KEY", "sandbox-api-key"),
    ("PAYMENT_WEBHOOK_SECRET", "sandbox-webhook-secret"),
    ("PAYMENT_API_KEY", "  "),
    ("PAYMENT_API_URL", "pay.example"),
    ("PAYMENT_API_URL", "ftp://pay.example/"),
    ("SUPPLIER_API_URL", "javascript:alert(1)"),
    ("RATES_API_URL", "https://"),
])
def test_production_refuses_sandbox_credentials_and_urls_that_are_not_http(name, value):
    result = run_manage("check", **without(name, **{name: value}))

    assert result.returncode != 0
    assert f"production needs {name}" in result.stderr


def test_only_the_channels_a_deployment_sells_on_need_their_credentials():
    only_booking_com = {k: v for k, v in FULL.items() if not k.startswith("CHANNEL_") or "BOOKING_COM" in k}

    result = run_manage("check", **only_booking_com, CHANNELS_ENABLED="booking_com")
    refused = run_manage("check", **only_booking_com)

    assert result.returncode == 0, result.stderr
    assert "production needs CHANNEL_EXPEDIA_USER" in refused.stderr


def test_simulate_payment_and_in_process_sandboxes_are_off_whatever_the_environment_says():
    result = run_manage("shell", "--no-imports", "-c", PRINT_SETTINGS, **FULL, DEBUG="1", PAYMENT_SANDBOX_CONTROLS="1",
                        CHANNEL_SANDBOX_CONTROLS="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "False", "False"]


def test_a_sandbox_is_never_started_in_process_under_production():
    code = "from sandboxes.embedded import sandbox_url; sandbox_url('payments')"

    result = run_manage("shell", "--no-imports", "-c", code, **FULL)

    assert result.returncode != 0
    assert "the payments sandbox is never started in-process here" in result.stderr


def test_check_deploy_is_clean_when_everything_is_set():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **FULL)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
