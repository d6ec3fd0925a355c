"""The Celery application.

RabbitMQ is the broker. Every task is acknowledged late and rejected (not lost) if its worker
dies; workers take one message at a time. Queues carry a dead-letter exchange: a task that has
used up its retries is rejected into ``dead-letter`` and recorded for staff (``ReliableTask``).

Every worker declares the dead-letter exchange and queue when it connects (``DeclareDeadLetter``),
whatever queues its ``-Q`` names: a queue's ``x-dead-letter-exchange`` that does not exist makes
RabbitMQ drop the message silently, so a new broker must never depend on something else having
declared them first.

In the full-stack mode a worker or beat whose outside parties have no URL refuses to start
(``refuse_per_process_sandboxes``): it would talk to sandboxes of its own, not the web's.
"""
import logging
import os

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travel.settings.base")

logger = logging.getLogger(__name__)

app = Celery("travel")
app.set_default()  # the current app in every thread too (web threads look tasks up by name)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def dead_letter_queue():
    """The ``dead-letter`` queue (bound to its fanout exchange) as configured in the settings."""
    from django.conf import settings

    return next(q for q in app.amqp.queues.values() if q.name == settings.DEAD_LETTER_QUEUE)


class DeclareDeadLetter(bootsteps.StartStopStep):
    """Declare the dead-letter exchange and queue each time the worker's consumer connects."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def start(self, c):
        queue = dead_letter_queue()
        try:
            with c.connection.channel() as channel:
                queue.bind(channel).declare()
        except c.connection.channel_errors as exc:
            # A queue declared earlier with other arguments (an unbounded one from before the
            # bound): keep it and make sure the exchange and binding exist, so nothing is dropped;
            # the worker still starts. Deleting the queue once applies the bound.
            logger.error("dead-letter queue %s exists with other arguments, kept as it is: %s", queue.name, exc)
            with c.connection.channel() as channel:
                bound = queue.bind(channel)
                bound.exchange.declare()
                bound.queue_declare(passive=True)
                bound.queue_bind()
        logger.info("declared the dead-letter exchange %s and queue %s", queue.exchange.name, queue.name)


app.steps["consumer"].add(DeclareDeadLetter)

# Workers and beat write heartbeats that /readyz reports (core/heartbeat.py).
from core.heartbeat import WorkerHeartbeat  # noqa: E402  (needs the app configured first)

app.steps["worker"].add(WorkerHeartbeat)

@signals.worker_init.connect
def _worker_refuses_per_process_sandboxes(**kwargs):
    _refuse_per_process_sandboxes("Celery worker")


@signals.beat_init.connect
def _beat_refuses_per_process_sandboxes(**kwargs):
    _refuse_per_process_sandboxes("Celery beat")


def _refuse_per_process_sandboxes(process: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from sandboxes.embedded import refuse_per_process_sandboxes

    try:
        refuse_per_process_sandboxes(process)
    except ImproperlyConfigured as exc:  # Celery logs and ignores what a signal receiver raises
        logger.critical("refusing to start: %s", exc)
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc
