"""Real tasks through real RabbitMQ to a real worker, with effects seen in PostgreSQL."""
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import Connection

from core.models import FailedTask, OutboxMessage
from core.tasks import dead_letter_drill, outbox_sweep_task
from tests.fixtures.worker import wait_for
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
