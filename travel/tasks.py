"""The public site's background work: the Google Hotel Center feeds."""
from celery import shared_task

from core.task_base import ReliableTask
from travel.feeds import store as feed_store


@shared_task(name="travel.feeds_regenerate", base=ReliableTask, max_retries=2)
def feeds_regenerate_task() -> int:
    """Rebuild the Google Hotel Center feeds (hotel list, ARI, itinerary prices) into the cache."""
    return feed_store.feeds_regenerate()
