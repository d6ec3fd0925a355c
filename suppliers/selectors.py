"""Reads from suppliers: cached searches, fresh offer prices, booking status, cache counters."""
from datetime import UTC, datetime

from suppliers import cache as offer_cache
from suppliers.client import adapter_for
from suppliers.criteria import cache_key, normalise
from suppliers.types import KINDS, Offer, SearchResult, SupplierBooking


def search_offers(*, kind: str, **criteria) -> SearchResult:
    """Offers for these criteria, from the cache when fresh, else from the supplier (one call for
    all concurrent identical searches). Raises InvalidCriteria, SupplierUnavailable,
    SupplierRateLimited or SupplierRefused."""
    normalised = normalise(kind, criteria)
    adapter = adapter_for(kind)

    def fetch() -> list[dict]:
        return [offer.to_dict() for offer in adapter.search(normalised)]

    entry, from_cache = offer_cache.get_or_fetch(kind=kind, key=cache_key(kind, normalised), fetch=fetch)
    return SearchResult(
        kind=kind,
        criteria=normalised,
        offers=tuple(Offer.from_dict(o) for o in entry["offers"]),
        fetched_at=datetime.fromtimestamp(entry["fetched_at"], tz=UTC),
        from_cache=from_cache,
    )


def offer_get(*, kind: str, offer_id: str) -> Offer:
    """The offer with its current price, asked of the supplier now (never from the cache)."""
    return adapter_for(kind).offer(offer_id)


def supplier_booking_status(*, kind: str, supplier_ref: str) -> SupplierBooking:
    return adapter_for(kind).booking_status(supplier_ref)


def supplier_cache_stats() -> dict[str, dict]:
    """Counters per kind plus totals, with the hit rate (hits / searches) and the share of
    searches that did not call the supplier."""
    counters = offer_cache.read_counters(KINDS)
    total = {name: sum(c[name] for c in counters.values()) for name in offer_cache.COUNTERS}
    out = {}
    for name, c in [*counters.items(), ("total", total)]:
        searches = c["hits"] + c["misses"]
        out[name] = {**c, "searches": searches,
                     "hit_rate": round(c["hits"] / searches, 4) if searches else 0.0,
                     "calls_saved": round(1 - c["supplier_calls"] / searches, 4) if searches else 0.0}
    return out
