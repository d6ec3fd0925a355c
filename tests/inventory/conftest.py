"""Inventory fixtures: a real Celery worker on the hash-sharded queues."""
import pytest
from django.conf import settings

from tests.fixtures.worker import worker_process


@pytest.fixture
def shard_worker(django_db_setup, django_db_blocker, artifacts_dir):
    """One single-threaded worker consuming every shard queue, against the test database."""
    with worker_process(queues=list(settings.INVENTORY_SHARD_QUEUES), name="shards", pool="solo", concurrency=1,
                        log_path=artifacts_dir / "celery-shard-worker.log", django_db_blocker=django_db_blocker) as app:
        yield app
