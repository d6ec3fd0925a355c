"""Where generated feeds live: the cache (Redis in full stack), written by the periodic task
``travel.feeds_regenerate`` and read by the views. A miss (first request, evicted key)
generates the document on the spot and stores it."""
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

from catalogue.models import Property
from travel.feeds import ari, hotel_list, transactions

FEED_TTL_SECONDS = 6 * 3600  # kept well past the regeneration period, so a late task is no outage
ARI_DAYS = 90
TRANSACTION_CHECKIN_DAYS = 14
TRANSACTION_NIGHTS = (1, 2, 3)
ARI_KINDS = ("rates", "taxes", "availability", "inventory", "transaction")


@dataclass(frozen=True)
class Feed:
    key: str
    build: Callable[[], bytes]


def _property_feed(prop: Property, kind: str) -> Feed:
    start = prop.local_today()  # the hotel's date: Google reads ARI and prices per hotel calendar
    builders = {
        "rates": lambda: ari.rates_build(prop=prop, start=start, days=ARI_DAYS),
        "taxes": lambda: ari.taxes_build(prop=prop),
        "availability": lambda: ari.availability_build(prop=prop, start=start, days=ARI_DAYS),
        "inventory": lambda: ari.inventory_build(prop=prop, start=start, days=ARI_DAYS),
        "transaction": lambda: transactions.transaction_build(
            prop=prop, start=start, checkin_days=TRANSACTION_CHECKIN_DAYS, nights=TRANSACTION_NIGHTS),
    }
    return Feed(key=f"feed:google:{prop.pk}:{kind}", build=builders[kind])


HOTEL_LIST = Feed(key="feed:google:hotel-list", build=hotel_list.hotel_list_build)


def feed_document(feed: Feed) -> bytes:
    document = cache.get(feed.key)
    if document is None:
        document = feed.build()
        cache.set(feed.key, document, FEED_TTL_SECONDS)
    return document


def property_feed_document(*, prop: Property, kind: str) -> bytes:
    return feed_document(_property_feed(prop, kind))


def feeds_regenerate() -> int:
    """Rebuild every feed and store it; returns how many documents were written."""
    written = 0
    cache.set(HOTEL_LIST.key, HOTEL_LIST.build(), FEED_TTL_SECONDS)
    written += 1
    for prop in Property.objects.filter(is_active=True).select_related("destination").order_by("pk"):
        for kind in ARI_KINDS:
            feed = _property_feed(prop, kind)
            cache.set(feed.key, feed.build(), FEED_TTL_SECONDS)
            written += 1
    return written
