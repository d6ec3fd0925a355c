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


# --- poison messages and RabbitMQ's consumer timeout ---------------------------------------------

def test_a_poison_message_is_dead_lettered_not_redelivered_forever(procfile_worker):
    # given a message no worker can run (an unknown task: a renamed task, a forged message)
    with Connection(settings.CELERY_BROKER_URL) as conn:
        producer = conn.Producer()
        producer.publish({"n": 1}, exchange="default", routing_key="default", serializer="json",
                         headers={"task": "core.no_such_task", "id": "poison-1", "argsrepr": "", "kwargsrepr": ""})

    # then the worker rejects it once and RabbitMQ moves it to the dead-letter queue
    seen: set[str] = set()

    def landed() -> bool:
        seen.update(drain_task_ids(settings.CELERY_BROKER_URL, settings.DEAD_LETTER_QUEUE))
        return "poison-1" in seen

    assert wait_for(landed, timeout=20), "the poison message was not dead-lettered"
    with Connection(settings.CELERY_BROKER_URL) as conn:
        _, ready, _ = conn.default_channel.queue_declare(queue="default", passive=True)
    assert ready == 0  # not requeued to go round again


def _broker_consumer_timeout_seconds() -> float | None:
    """The consumer_timeout the running RabbitMQ applies (None: rabbitmqctl cannot tell us)."""
    import re
    import subprocess

    try:
        out = subprocess.run(["rabbitmqctl", "eval", "application:get_env(rabbit, consumer_timeout)."],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"\{ok,(\d+)\}", out)
    return int(found.group(1)) / 1000 if found else None


def _longest_retry_delay() -> float:
    """The longest countdown any of our tasks retries with (a retried message is held by a worker,
    unacknowledged, until its countdown is due)."""
    from bookings.tasks import backoff
    from travel.celery import app

    delays = [300.0]  # channels tasks: min(delay, 300) (channels/tasks.py)
    for task in app.tasks.values():
        if task.name.split(".")[0] in ("celery",):
            continue
        if getattr(task, "retry_backoff", False):
            delays.append(float(task.retry_backoff_max))
        delays.append(float(task.default_retry_delay or 0))
    delays.append(backoff(50))  # bookings' backoff at any number of retries: capped
    delays += settings.CHANNEL_PUSH_RETRY_DELAYS
    return max(delays)


def test_retry_delays_and_time_limits_stay_under_rabbitmqs_consumer_timeout():
    timeout = settings.RABBITMQ_CONSUMER_TIMEOUT_SECONDS
    broker = _broker_consumer_timeout_seconds()
    if broker is not None:  # the setting says what the broker really does (or is stricter)
        assert timeout <= broker, f"RabbitMQ's consumer_timeout is {broker:g} s, the settings assume {timeout} s"

    # a task runs at most its hard time limit, holding its message; the soft limit comes first
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT <= timeout / 2
    # a retry's message is held until its countdown is due
    assert _longest_retry_delay() <= timeout / 2, _longest_retry_delay()
    # every task acknowledges late and is rejected (dead-lettered), not acknowledged, when it gives up
    from travel.celery import app

    ours = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    assert ours and all(t.acks_late and t.reject_on_worker_lost for t in ours)
    assert all(not t.acks_on_failure_or_timeout for t in ours)
