"""A real web server process (gunicorn) on a free loopback port, against the test database."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
from django.conf import settings

from tests.fixtures.worker import _test_database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(*, django_db_blocker, log_path, workers: int = 2, env: dict | None = None):
    """Start gunicorn with ``workers`` processes and ``env`` added; yield its base URL; stop it."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    port = free_port()
    full_env = {**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "0", **(env or {})}
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "travel.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--timeout", "60"],
            cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process, log_path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log_path}")
        try:
            httpx.get(f"{base}/live-server-probe", timeout=2)  # any answer (a 404) will do
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 60 s; see {log_path}")
