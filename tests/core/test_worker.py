"""Real tasks through real RabbitMQ to a real worker, with effects seen in PostgreSQL."""
import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu import Connection

from core.models import FailedTask, OutboxMessage
from core.tasks import dead_letter_drill, outbox_sweep_task
from tests.fixtures.processes import stop_process
from tests.fixtures.worker import _purge, _test_database_url, wait_for
from travel.celery import app as celery_app
from travel.celery import dead_letter_queue

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]



def test_a_task_sent_through_rabbitmq_runs_on_the_worker_and_writes_postgres(celery_worker):
    # given an event whose after-commit delivery was missed (as in a broker outage)
    message = OutboxMessage.objects.create(topic="drill.event", key="k1", payload={"n": 1})
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=1))

    # when the sweeper task goes through the broker
    outbox_sweep_task.delay()

    # then the worker marked it published in PostgreSQL
    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).published_at is not None)


def test_a_task_that_gives_up_is_dead_lettered_and_recorded(celery_worker, settings):
    result = dead_letter_drill.delay(note="ci")

    assert wait_for(lambda: FailedTask.objects.filter(task_id=result.id).exists())
    failed = FailedTask.objects.get(task_id=result.id)
    assert failed.task_name == "core.dead_letter_drill"
    assert "drill: ci" in failed.error

    seen: set[str] = set()

    def dead_lettered() -> bool:
        seen.update(drain_task_ids(settings.CELERY_BROKER_URL, "dead-letter"))
        return result.id in seen

    assert wait_for(dead_lettered, timeout=15), "the failed task's message never reached the dead-letter queue"


def drain_task_ids(broker_url: str, queue_name: str) -> list[str]:
    ids = []
    with Connection(broker_url) as conn:
        queue = conn.SimpleQueue(dead_letter_queue() if queue_name == "dead-letter" else queue_name, no_ack=False)
        try:
            while True:
                message = queue.get(block=True, timeout=0.5)
                ids.append(message.headers.get("id"))
                message.ack()
        except queue.Empty:
            pass
        finally:
            queue.close()
    return ids


# --- a worker killed with SIGKILL in the middle of a task ---------------------------------------

@contextmanager
def payments_worker(*, name: str, pool: str, log_path: Path, env: dict[str, str]):
    """A worker on the payments queue (no purge: a redelivered message must survive its start);
    yields its Popen; SIGKILL-proof clean-up."""
    node = f"{name}-{os.getpid()}@{socket.gethostname()}"
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "travel", "worker", "-Q", "payments", "-P", pool, "-c", "1",
             "--without-gossip", "--without-mingle", "-l", "info", "-n", node],
            cwd=settings.BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(lambda: process.poll() is not None or celery_app.control.ping(destination=[node], timeout=0.5),
                        timeout=60) and process.poll() is None, f"worker {node} did not start; see {log_path}"
        yield process
    finally:
        stop_process(process)


def sigkill_with_children(pid: int) -> None:
    """SIGKILL a worker and its pool processes at once, as the OOM killer or a lost machine would."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for victim in [pid, *map(int, children)]:
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_worker_killed_mid_task_is_redelivered_and_the_effect_happens_once(
        coins, payments_server, django_db_blocker, artifacts_dir):
    from bookings.payments.models import Invoice
    from bookings.payments.services import invoice_open

    sandbox = payments_server.app
    sandbox.reset()
    sandbox.behaviour.latency_ms = 1500  # every processor call takes 1.5 s: room to kill mid-task
    # the "another worker is submitting" guard lasts 4 × OUTSIDE_HTTP_TIMEOUT + 1 s (9 s here)
    env = {"DATABASE_URL": _test_database_url(), "CONN_MAX_AGE": "0", "OUTSIDE_HTTP_TIMEOUT": "2",
           "PAYMENT_API_URL": payments_server.url}
    _purge(celery_app, ["payments"])
    try:
        with payments_worker(name="doomed", pool="prefork", env=env,
                             log_path=artifacts_dir / "celery-killed-worker.log") as doomed:
            # given an invoice whose submission a prefork worker (as the Procfile runs it) has started
            with transaction.atomic():
                invoice = invoice_open(reference="KILL-9-TEST", fiat_amount="100.00", fiat_currency="USD",
                                       coin_code="BTC", crypto_amount=Decimal("0.00150000"), rate="66666.67")
            # when the processor has created it (find, create, now reading it back: 3 calls) and
            # the worker is SIGKILLed before it could record the processor's id
            assert wait_for(lambda: sandbox.calls >= 3, timeout=30), "the submission never started"
            sigkill_with_children(doomed.pid)
            doomed.wait(timeout=10)
        with sandbox.state_lock:
            assert list(sandbox.by_order) == ["KILL-9-TEST"]  # the effect happened outside...
        invoice.refresh_from_db()
        assert invoice.processor_id == "" and invoice.submit_attempts == 1  # ...and we never heard of it

        # then the unacknowledged message goes back to the queue, and once the killed worker's
        # guard has expired another worker runs it again
        assert wait_for(lambda: cache.get(f"payments:submitting:{invoice.pk}") is None, timeout=20)
        with payments_worker(name="heir", pool="threads", env=env, log_path=artifacts_dir / "celery-heir-worker.log"):
            assert wait_for(lambda: Invoice.objects.get(pk=invoice.pk).processor_id, timeout=30), \
                "the killed task was never redelivered"
        with sandbox.state_lock:
            at_processor = dict(sandbox.by_order), len(sandbox.invoices)
    finally:
        sandbox.reset()

    # and its effect happened exactly once: one invoice at the processor, adopted, not duplicated
    invoice.refresh_from_db()
    assert invoice.submit_attempts == 2  # it ran twice...
    by_order, invoices_at_processor = at_processor
    assert invoices_at_processor == 1  # ...and the processor holds one invoice
    assert invoice.processor_id == by_order["KILL-9-TEST"]
