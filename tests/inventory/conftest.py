"""Inventory fixtures: a real Celery worker on the hash-sharded queues."""
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.fixtures.worker import _test_database_url


@pytest.fixture(scope="session")
def shard_worker(django_db_setup, django_db_blocker, artifacts_dir):
    """One single-threaded worker consuming every shard queue, against the test database."""
    from travel.celery import app

    with django_db_blocker.unblock():
        database_url = _test_database_url()
    queues = ",".join(settings.INVENTORY_SHARD_QUEUES)
    for queue in settings.INVENTORY_SHARD_QUEUES:
        with app.connection_for_write() as conn:
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # not declared yet: nothing to purge
                pass
    env = {**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "0"}
    log = open(artifacts_dir / "celery-shard-worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "travel", "worker", "-Q", queues, "-P", "solo",
         "--without-gossip", "--without-mingle", "-l", "info", "-n", f"shards-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"shards-{os.getpid()}@{os.uname().nodename}"], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the shard worker did not start; see test-artifacts/celery-shard-worker.log")
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
