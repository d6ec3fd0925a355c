"""Dead letters on a broker where nothing was declared before: a worker started exactly as the
Procfile says declares the dead-letter exchange and queue itself, a task that gives up lands
there (and in front of staff), and staff re-drive it once."""
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from kombu import Connection

from core.models import FailedTask, OutboxMessage
from core.tasks import dead_letter_drill
from tests.core.broker import drain_task_ids
from tests.fixtures.worker import wait_for, worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def procfile_worker_queues() -> list[str]:
    """The -Q list of the Procfile's ``worker`` line, exactly."""
    for line in (Path(settings.BASE_DIR) / "Procfile").read_text().splitlines():
        if line.startswith("worker:"):
            argv = shlex.split(line.split(":", 1)[1])
            return argv[argv.index("-Q") + 1].split(",")
    raise AssertionError("the Procfile has no worker line")


def forget_dead_letter_declarations() -> None:
    """Make the vhost as new as a fresh broker for dead letters: no exchange, no queue."""
    with Connection(settings.CELERY_BROKER_URL) as conn:
        channel = conn.channel()
        channel.queue_delete(settings.DEAD_LETTER_QUEUE)
        channel.exchange_delete(settings.DEAD_LETTER_EXCHANGE)


@pytest.fixture
def procfile_worker(django_db_setup, django_db_blocker, artifacts_dir):
    forget_dead_letter_declarations()
    with worker_process(queues=procfile_worker_queues(), name="procfile", concurrency=2,
                        log_path=artifacts_dir / "celery-procfile-worker.log",
                        django_db_blocker=django_db_blocker) as app:
        yield app


def test_a_task_that_gives_up_on_a_new_broker_is_dead_lettered_and_can_be_redriven_once(procfile_worker, capsys):
    seen: set[str] = set()

    def dead_lettered(task_id: str):
        def landed() -> bool:
            seen.update(drain_task_ids(settings.CELERY_BROKER_URL, settings.DEAD_LETTER_QUEUE))
            return task_id in seen
        return landed

    # when a task gives up on a worker started as the Procfile says
    first = dead_letter_drill.delay(note="fresh broker")

    # then it is recorded for staff and its message is in the dead-letter queue
    assert wait_for(lambda: FailedTask.objects.filter(task_id=first.id).exists())
    assert wait_for(dead_lettered(first.id), timeout=15), "the dead letter was dropped"
    failed = FailedTask.objects.get(task_id=first.id)
    call_command("dead_letters", "list")
    assert f"#{failed.pk}" in capsys.readouterr().out

    # when staff re-drive it (twice)
    call_command("dead_letters", "redrive", str(failed.pk))
    call_command("dead_letters", "redrive", str(failed.pk))
    out = capsys.readouterr().out

    # then it is sent once and runs again (the drill gives up again: a new dead letter)
    assert f"#{failed.pk}: re-driven" in out and "skipped" in out
    assert OutboxMessage.objects.filter(key=f"failed-task:{failed.pk}").count() == 1
    again = wait_for(lambda: FailedTask.objects.exclude(pk=failed.pk).filter(task_name=failed.task_name).first())
    assert again and again.kwargs == {"note": "fresh broker"}
    assert wait_for(dead_lettered(again.task_id), timeout=15)
    failed.refresh_from_db()
    assert failed.resolved_at is not None and "re-driven" in failed.resolution_note


def test_the_dead_letter_queue_is_bounded(procfile_worker):
    # the queue as the worker declared it carries the bound from the settings: declaring it with
    # any other arguments is refused by RabbitMQ (PRECONDITION_FAILED)
    from kombu import Exchange, Queue

    with Connection(settings.CELERY_BROKER_URL) as conn:
        unbounded = Queue(settings.DEAD_LETTER_QUEUE, Exchange(settings.DEAD_LETTER_EXCHANGE, type="fanout"))
        with pytest.raises(conn.channel_errors):
            unbounded.bind(conn.channel()).declare()
    assert settings.DEAD_LETTER_QUEUE_ARGUMENTS["x-overflow"] == "drop-head"
    assert settings.DEAD_LETTER_QUEUE_ARGUMENTS["x-max-length"] > 0


def test_a_worker_starts_and_keeps_dead_letters_where_an_unbounded_queue_was_declared_before(
    django_db_setup, django_db_blocker, artifacts_dir
):
    from kombu import Exchange, Queue

    # given a broker from before the bound: an unbounded dead-letter queue, and no exchange
    forget_dead_letter_declarations()
    with Connection(settings.CELERY_BROKER_URL) as conn:
        Queue(settings.DEAD_LETTER_QUEUE, Exchange(settings.DEAD_LETTER_EXCHANGE, type="fanout"),
              routing_key="#").bind(conn.channel()).declare()
        conn.channel().exchange_delete(settings.DEAD_LETTER_EXCHANGE)

    # when a worker starts as the Procfile says, then it starts, and a task that gives up is kept
    with worker_process(queues=procfile_worker_queues(), name="procfile-old", concurrency=2,
                        log_path=artifacts_dir / "celery-procfile-worker.log", django_db_blocker=django_db_blocker):
        result = dead_letter_drill.delay(note="old broker")
        seen: set[str] = set()

        def landed() -> bool:
            seen.update(drain_task_ids(settings.CELERY_BROKER_URL, settings.DEAD_LETTER_QUEUE))
            return result.id in seen

        assert wait_for(landed, timeout=20), "the dead letter was dropped"
    forget_dead_letter_declarations()  # leave the vhost with no unbounded queue behind
