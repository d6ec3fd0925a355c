"""The offer cache on real Redis: hits, normalised sharing, TTL expiry, stampede protection."""
import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from suppliers import search_offers, supplier_cache_stats
from tests.suppliers.helpers import configure, hotel_criteria, supplier_calls

pytestmark = pytest.mark.redis


def test_a_repeated_search_is_served_from_the_cache(suppliers_sandbox):
    first = search_offers(kind="hotel", **hotel_criteria())
    second = search_offers(kind="hotel", **hotel_criteria())

    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.offers == first.offers
    assert supplier_calls(suppliers_sandbox) == 1
    stats = supplier_cache_stats()["hotel"]
    assert (stats["hits"], stats["misses"], stats["supplier_calls"], stats["hit_rate"]) == (1, 1, 1, 0.5)


def test_searches_that_differ_only_in_case_spacing_and_date_format_share_one_entry(suppliers_sandbox):
    criteria = hotel_criteria()
    search_offers(kind="hotel", **criteria)
    search_offers(kind="hotel", destination="  BALI ", check_in=criteria["check_in"].isoformat(),
                  check_out=criteria["check_out"].isoformat(), guests="2")
    assert supplier_calls(suppliers_sandbox) == 1

    search_offers(kind="hotel", **hotel_criteria(guests=3))
    assert supplier_calls(suppliers_sandbox) == 2


def test_an_entry_is_fetched_again_once_older_than_its_kinds_ttl(suppliers_sandbox, settings):
    ttl = settings.SUPPLIER_CACHE_TTL["flight"]
    criteria = {"origin": "BKK", "destination": "DPS", "date": hotel_criteria()["check_in"], "passengers": 1}
    with time_machine.travel(timezone.now(), tick=True) as clock:
        search_offers(kind="flight", **criteria)
        clock.shift(timedelta(seconds=ttl - 5))
        assert search_offers(kind="flight", **criteria).from_cache
        assert supplier_calls(suppliers_sandbox) == 1

        clock.shift(timedelta(seconds=10))
        refreshed = search_offers(kind="flight", **criteria)

    assert not refreshed.from_cache
    assert supplier_calls(suppliers_sandbox) == 2


def concurrent_searches(n: int, criteria: dict) -> tuple[list, list]:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def search():
        try:
            barrier.wait(timeout=10)
            results.append(search_offers(kind="hotel", **criteria))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    return results, errors


def test_twenty_concurrent_identical_searches_make_one_supplier_call(suppliers_sandbox):
    configure(suppliers_sandbox, latency_ms=400)

    results, errors = concurrent_searches(20, hotel_criteria())

    assert errors == []
    assert len(results) == 20 and all(r.offers == results[0].offers for r in results)
    assert supplier_calls(suppliers_sandbox) == 1
    stats = supplier_cache_stats()["hotel"]
    assert stats["supplier_calls"] == 1
    assert stats["hits"] + stats["misses"] == 20
    assert stats["coalesced"] == stats["misses"] - 1


def test_negative_control_without_the_lock_concurrent_searches_stampede(suppliers_sandbox, settings):
    settings.SUPPLIER_CACHE_STAMPEDE_LOCK = False
    configure(suppliers_sandbox, latency_ms=400)

    results, errors = concurrent_searches(20, hotel_criteria())

    assert errors == [] and len(results) == 20
    assert supplier_calls(suppliers_sandbox) > 1


def test_waiters_get_the_leaders_error_instead_of_calling_a_failing_supplier(suppliers_sandbox, settings):
    settings.SUPPLIER_SEARCH_TIMEOUT = 0.5
    configure(suppliers_sandbox, latency_ms=1500)

    results, errors = concurrent_searches(10, hotel_criteria())

    assert results == [] and len(errors) == 10
    assert supplier_calls(suppliers_sandbox) == 1
