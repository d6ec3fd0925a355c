"""Tells the pages that cache a hotel's reviews when they change.

A hotel page cached without dates is keyed on ``page_version`` (an opaque token in the shared
cache); every write of a review or an answer sets a new token after commit, so the next visitor
gets a page built with the new review instead of the cached one. The dated hotel page keys on a
fingerprint of its rows (``travel.selectors.hotel_stay_stamp``), which includes the reviews."""
import logging
import uuid

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)
NO_CHANGE_YET = "0"


def _key(slug: str) -> str:
    return f"reviews:hotel-version:{slug}"


def page_version(*, slug: str) -> str:
    """The token of the hotel's reviews, for a page cache key (one cache read)."""
    return cache.get(_key(slug), NO_CHANGE_YET)


def reviews_changed_after_commit(*, slug: str) -> None:
    """Give the hotel's reviews a new token once the transaction commits (never raises into it)."""

    def bump():
        try:
            cache.set(_key(slug), uuid.uuid4().hex, timeout=None)
        except Exception:  # a cache outage must not undo a committed review; pages expire anyway
            logger.exception("reviews: could not renew the page token of %s", slug)

    transaction.on_commit(bump, robust=True)
