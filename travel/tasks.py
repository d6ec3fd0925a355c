from celery import shared_task

from travel.feeds import store as feed_store
from travel.outbox import outbox_sweep
from travel.task_base import ReliableTask


@shared_task(name="travel.outbox_sweep", base=ReliableTask, max_retries=0)
def outbox_sweep_task() -> int:
    return outbox_sweep()


@shared_task(name="travel.ping", base=ReliableTask, max_retries=0)
def ping() -> str:
    """Answers through the broker; used by the health check's worker probe and tests."""
    return "pong"


class DeadLetterDrill(Exception):
    """Raised on purpose by the drill task."""


@shared_task(name="travel.dead_letter_drill", base=ReliableTask, max_retries=0)
def dead_letter_drill(note: str = "") -> None:
    """Always fails: an operator's (and the test suite's) check that a task which gives up is
    dead-lettered by RabbitMQ and recorded for staff."""
    raise DeadLetterDrill(f"drill: {note}")


@shared_task(name="travel.feeds_regenerate", base=ReliableTask, max_retries=2)
def feeds_regenerate_task() -> int:
    """Rebuild the Google Hotel Center feeds (hotel list, ARI, itinerary prices) into the cache."""
    return feed_store.feeds_regenerate()
