"""A real web server process (gunicorn) on a free loopback port, against the test database."""
import os
from contextlib import contextmanager

from tests.fixtures.processes import gunicorn
from tests.fixtures.worker import _test_database_url


@contextmanager
def gunicorn_server(*, django_db_blocker, log_path, workers: int = 2, env: dict | None = None):
    """Start gunicorn with ``workers`` processes and ``env`` added; yield its base URL; stop it."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    full_env = {**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "0", **(env or {})}
    # a path of its own for the start-up probe (a 404): not counted among the pages a test reads
    with gunicorn(options=["--workers", str(workers), "--timeout", "60"], env=full_env, log_path=log_path,
                  probe="/live-server-probe") as base:
        yield base
