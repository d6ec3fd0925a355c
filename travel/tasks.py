"""The public site's background work: the Google Hotel Center feeds, the daily money check."""
import logging

from celery import shared_task

from core.task_base import ReliableTask
from travel.feeds import store as feed_store
from travel.money_check import money_disagreements

logger = logging.getLogger(__name__)


@shared_task(name="travel.feeds_regenerate", base=ReliableTask, max_retries=2)
def feeds_regenerate_task() -> int:
    """Rebuild the Google Hotel Center feeds (hotel list, ARI, itinerary prices) into the cache."""
    return feed_store.feeds_regenerate()


@shared_task(name="travel.money_check", base=ReliableTask, max_retries=0)
def money_check_task() -> list[str]:
    """Daily: the same check as ``manage.py money_check``; each disagreement is logged as an error."""
    found = [str(d) for d in money_disagreements()]
    for line in found:
        logger.error("money check: %s", line)
    return found
