"""Real worker and beat processes for the many-machines tests, each with a log of its own.

Two processes started here stand for the same Procfile line on two machines: they share the
test database, the broker vhost and Redis, as two machines would.
"""
import os
import re
import signal
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings

from tests.fixtures.processes import stop_process
from tests.fixtures.worker import _test_database_url

# Celery's own format ("[2026-11-30 20:05:09,880: ...") or ours (core/logging.py: "2026-11-30T20:05:09.880596Z [info ...")
LOG_TIME = re.compile(r"^\[?(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)[,.](\d{3})")


def process_env(django_db_blocker, **extra: str) -> dict[str, str]:
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    return {**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "0", **extra}


@contextmanager
def processes():
    """Yield ``start(argv, log_path, env)``; every process started through it is stopped on exit."""
    started: list[subprocess.Popen] = []

    def start(argv: list[str], log_path, env: dict[str, str]) -> subprocess.Popen:
        log = open(log_path, "w")
        process = subprocess.Popen([sys.executable, "-m", *argv], cwd=settings.BASE_DIR, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            stop_process(process)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: the machine is gone, nothing is handed back."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def lines_with(log_path, text: str) -> list[str]:
    try:
        return [line for line in log_path.read_text().splitlines() if text in line]
    except FileNotFoundError:
        return []


def logged_at(line: str) -> datetime:
    day, clock, millis = LOG_TIME.match(line).groups()
    return datetime.strptime(f"{day} {clock},{millis}", "%Y-%m-%d %H:%M:%S,%f")
