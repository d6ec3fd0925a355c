"""Platform tasks: the outbox relay, a ping for health checks, the dead-letter drill."""
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from core.outbox import outbox_prune, outbox_sweep
from core.task_base import ReliableTask


@shared_task(name="core.outbox_sweep", base=ReliableTask, max_retries=0)
def outbox_sweep_task() -> int:
    return outbox_sweep()


@shared_task(name="core.outbox_prune", base=ReliableTask, max_retries=0)
def outbox_prune_task() -> int:
    return outbox_prune(older_than=timedelta(days=settings.OUTBOX_KEEP_DAYS))


@shared_task(name="core.ping", base=ReliableTask, max_retries=0)
def ping() -> str:
    """Answers through the broker; used by the health check's worker probe and tests."""
    return "pong"


class DeadLetterDrill(Exception):
    """Raised on purpose by the drill task."""


@shared_task(name="core.dead_letter_drill", base=ReliableTask, max_retries=0)
def dead_letter_drill(note: str = "") -> None:
    """Always fails: an operator's (and the test suite's) check that a task which gives up is
    dead-lettered by RabbitMQ and recorded for staff."""
    raise DeadLetterDrill(f"drill: {note}")
