"""Full-stack processes refuse to start with sandboxes of their own (empty outside-party URLs).

Each process would otherwise start its own in-process sandbox: the web would lock a price at
one fake processor and the worker look for the invoice at another. The embedded mode (nothing
set) keeps its in-process sandboxes.
"""
import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.fixtures.worker import _test_database_url

URLS = ("SUPPLIER_API_URL", "PAYMENT_API_URL", "RATES_API_URL", "OTA_API_URL")
FULL_STACK = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")

pytestmark = pytest.mark.postgres


def _run(argv, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in URLS and k != "SANDBOXES_PER_PROCESS"}
    return subprocess.run([sys.executable, *argv], cwd=settings.BASE_DIR, env={**base, **env},
                          capture_output=True, text=True, timeout=90)


def test_a_full_stack_worker_without_the_urls_refuses_to_start_naming_them():
    result = _run(["-m", "celery", "-A", "travel", "worker", "-Q", "default", "-P", "solo", "-l", "info"])

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "SUPPLIER_API_URL, PAYMENT_API_URL, RATES_API_URL, OTA_API_URL are not set" in output
    assert "ready." not in output  # it never consumed anything


@pytest.mark.django_db
def test_a_full_stack_beat_without_the_urls_refuses_to_start(django_db_blocker):
    with django_db_blocker.unblock():
        database_url = _test_database_url()  # beat reads its schedule before it starts: a migrated one
    result = _run(["-m", "celery", "-A", "travel", "beat", "-l", "info"], DATABASE_URL=database_url)

    assert result.returncode != 0
    assert "are not set" in result.stdout + result.stderr


def test_the_web_process_names_only_what_is_missing():
    result = _run(["-c", "import travel.wsgi"], SUPPLIER_API_URL="http://127.0.0.1:9", RATES_API_URL="http://127.0.0.1:9",
                  OTA_API_URL="http://127.0.0.1:9")

    assert result.returncode != 0
    assert "but PAYMENT_API_URL is not set" in result.stderr


def test_a_full_stack_web_process_with_every_url_starts():
    urls = {name: "http://127.0.0.1:9" for name in URLS}

    assert _run(["-c", "import travel.wsgi"], **urls).returncode == 0


def test_a_process_alone_on_purpose_may_say_so():
    assert _run(["-c", "import travel.wsgi"], SANDBOXES_PER_PROCESS="1").returncode == 0


def test_the_embedded_mode_keeps_its_in_process_sandboxes():
    embedded = {k: v for k, v in os.environ.items() if k not in (*URLS, *FULL_STACK)}
    code = ("import travel.wsgi\n"
            "from sandboxes.embedded import sandbox_url\n"
            "print(sandbox_url('payments'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=embedded,
                            capture_output=True, text=True, timeout=90)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("http://127.0.0.1:")
