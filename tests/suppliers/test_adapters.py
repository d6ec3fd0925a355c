"""The supplier adapters against the sandbox over HTTP: offers, fresh prices, bookings, errors."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.utils import timezone

from suppliers import offer_get, search_offers, supplier_book, supplier_booking_status, supplier_cancel
from suppliers.criteria import cache_key, normalise
from suppliers.errors import InvalidCriteria, SupplierRateLimited, SupplierRefused, SupplierUnavailable
from tests.suppliers.helpers import configure, hotel_criteria, supplier_calls


def test_each_kind_returns_offers_that_match_the_request(suppliers_sandbox):
    hotels = search_offers(kind="hotel", **hotel_criteria(nights=3, guests=2))
    day = hotel_criteria()["check_in"]
    flights = search_offers(kind="flight", origin="BKK", destination="DPS", date=day, passengers=2)
    activities = search_offers(kind="activity", city="Bali", date=day, participants=3)

    assert hotels.offers and all(o.kind == "hotel" and o.details["nights"] == 3 for o in hotels.offers)
    assert all(o.price == Decimal(o.details["per_night"]) * 3 for o in hotels.offers)
    assert flights.offers and all(o.details["origin"] == "BKK" and o.details["passengers"] == 2 for o in flights.offers)
    assert all(o.price == Decimal(o.details["per_person"]) * 2 for o in flights.offers)
    assert activities.offers and all(o.price == Decimal(o.details["per_person"]) * 3 for o in activities.offers)


def test_offer_get_asks_the_supplier_for_the_current_price_every_time(suppliers_sandbox):
    offer = search_offers(kind="hotel", **hotel_criteria()).offers[0]
    assert offer_get(kind="hotel", offer_id=offer.id).price == offer.price

    configure(suppliers_sandbox, extra={"price_change_percent": 10})

    fresh = offer_get(kind="hotel", offer_id=offer.id)
    assert fresh.price == (offer.price * Decimal("1.10")).quantize(Decimal("0.01"))
    assert (fresh.id, fresh.title, fresh.currency, fresh.supplier) == (offer.id, offer.title, "USD", offer.supplier)


def test_a_gone_or_unknown_offer_or_one_of_another_kind_is_refused(suppliers_sandbox):
    offer = search_offers(kind="hotel", **hotel_criteria()).offers[0]
    configure(suppliers_sandbox, extra={"gone_offers": [offer.id]})

    with pytest.raises(SupplierRefused):
        offer_get(kind="hotel", offer_id=offer.id)
    with pytest.raises(SupplierRefused):
        offer_get(kind="hotel", offer_id="h.nowhere.not-a-date")
    with pytest.raises(SupplierRefused):
        offer_get(kind="flight", offer_id=search_offers(kind="hotel", **hotel_criteria(days_ahead=9)).offers[0].id)


def test_booking_is_confirmed_and_idempotent_on_our_reference(suppliers_sandbox):
    offer = search_offers(kind="hotel", **hotel_criteria()).offers[1]

    first = supplier_book(kind="hotel", offer_id=offer.id, reference="LT-IDEM-1", traveller={"name": "Ann Lee"})
    again = supplier_book(kind="hotel", offer_id=offer.id, reference="LT-IDEM-1", traveller={"name": "Ann Lee"})

    assert first.status == "confirmed"
    assert again == first
    assert supplier_booking_status(kind="hotel", supplier_ref=first.supplier_ref) == first


def test_slow_confirmation_is_pending_until_the_supplier_confirms(suppliers_sandbox):
    offer = search_offers(kind="activity", city="Bali", date=hotel_criteria()["check_in"]).offers[0]
    configure(suppliers_sandbox, extra={"book_latency_ms": 3000})

    with time_machine.travel(timezone.now(), tick=True) as clock:
        booking = supplier_book(kind="activity", offer_id=offer.id, reference="LT-SLOW-1", traveller={"name": "Bo"})
        assert booking.status == "pending"
        assert supplier_booking_status(kind="activity", supplier_ref=booking.supplier_ref).status == "pending"
        clock.shift(timedelta(seconds=4))
        assert supplier_booking_status(kind="activity", supplier_ref=booking.supplier_ref).status == "confirmed"


def test_a_refused_booking_and_an_unknown_booking_raise_refused(suppliers_sandbox):
    offer = search_offers(kind="flight", origin="SIN", destination="HAN", date=hotel_criteria()["check_in"]).offers[0]
    configure(suppliers_sandbox, extra={"refuse_booking": True})

    with pytest.raises(SupplierRefused, match="sold out"):
        supplier_book(kind="flight", offer_id=offer.id, reference="LT-NO-1", traveller={"name": "Cy"})
    with pytest.raises(SupplierRefused):
        supplier_booking_status(kind="flight", supplier_ref="SB-DOESNOTEXIST")


@pytest.mark.parametrize("kind, n, days_ahead, fee_share", [
    ("hotel", 0, 20, 0),        # free cancellation until 3 days before
    ("hotel", 0, 1, "0.5"),     # after that, a 50 % fee
    ("activity", 4, 0, 1),      # after the deadline the last offer gives nothing back
    ("flight", 3, 20, 1),       # the non-refundable offer, however early
])
def test_cancelling_refunds_by_the_offers_terms_and_answers_the_same_again(
        suppliers_sandbox, kind, n, days_ahead, fee_share):
    day = hotel_criteria(days_ahead=days_ahead)["check_in"]
    criteria = {"hotel": hotel_criteria(days_ahead=days_ahead), "flight": {"origin": "BKK", "destination": "DPS",
                "date": day}, "activity": {"city": "Bali", "date": day}}[kind]
    offer = search_offers(kind=kind, **criteria).offers[n]
    passengers = [{"name": "Ann Lee", "date_of_birth": "1990-01-01", "document_number": "X1"}]
    booked = supplier_book(kind=kind, offer_id=offer.id, reference=f"LT-CX-{kind}-{n}-{days_ahead}",
                           traveller={"name": "Ann Lee", "passengers": passengers} if kind == "flight" else {"name": "Ann Lee"})

    cancelled = supplier_cancel(kind=kind, supplier_ref=booked.supplier_ref)

    assert cancelled.fee == (offer.price * Decimal(fee_share)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert cancelled.refund_amount == offer.price - cancelled.fee
    assert supplier_cancel(kind=kind, supplier_ref=booked.supplier_ref) == cancelled  # nothing refunded twice
    assert supplier_booking_status(kind=kind, supplier_ref=booked.supplier_ref).status == "cancelled"


def test_a_cancellation_the_supplier_refuses_or_cannot_take_maps_to_our_errors(suppliers_sandbox):
    offer = search_offers(kind="hotel", **hotel_criteria()).offers[0]
    booked = supplier_book(kind="hotel", offer_id=offer.id, reference="LT-CX-ERR", traveller={"name": "Bo"})
    with pytest.raises(SupplierRefused):
        supplier_cancel(kind="hotel", supplier_ref="SB-DOESNOTEXIST")
    configure(suppliers_sandbox, extra={"refuse_cancel": True})
    with pytest.raises(SupplierRefused, match="refused the cancellation"):
        supplier_cancel(kind="hotel", supplier_ref=booked.supplier_ref)
    configure(suppliers_sandbox, down=True)
    with pytest.raises(SupplierUnavailable):
        supplier_cancel(kind="hotel", supplier_ref=booked.supplier_ref)
    configure(suppliers_sandbox, reset=True)
    assert supplier_booking_status(kind="hotel", supplier_ref=booked.supplier_ref).status == "confirmed"


def test_a_supplier_that_is_down_or_fails_is_unavailable(suppliers_sandbox):
    configure(suppliers_sandbox, fail_next=1)
    with pytest.raises(SupplierUnavailable):
        offer_get(kind="hotel", offer_id="h.bali.2030-01-01.2030-01-03.2.1.0")
    assert offer_get(kind="hotel", offer_id="h.bali.2030-01-01.2030-01-03.2.1.0").price > 0

    configure(suppliers_sandbox, down=True)
    with pytest.raises(SupplierUnavailable) as caught:
        supplier_book(kind="hotel", offer_id="h.bali.2030-01-01.2030-01-03.2.1.0", reference="LT-DOWN",
                      traveller={"name": "Di"})
    assert caught.value.retryable


def test_a_slow_supplier_times_out_as_unavailable_and_is_not_asked_again_at_once(suppliers_sandbox, settings):
    settings.SUPPLIER_SEARCH_TIMEOUT = 0.3
    configure(suppliers_sandbox, latency_ms=1500)

    with pytest.raises(SupplierUnavailable, match="did not answer"):
        search_offers(kind="hotel", **hotel_criteria())
    with pytest.raises(SupplierUnavailable):
        search_offers(kind="hotel", **hotel_criteria())  # within SUPPLIER_ERROR_TTL: from the marker

    assert supplier_calls(suppliers_sandbox) == 1


def test_a_rate_limited_search_says_when_to_retry(suppliers_sandbox):
    configure(suppliers_sandbox, rate_limit_per_second=1)
    search_offers(kind="hotel", **hotel_criteria(days_ahead=30))

    with pytest.raises(SupplierRateLimited) as caught:
        search_offers(kind="hotel", **hotel_criteria(days_ahead=31))
    assert caught.value.retry_after == 1
    assert caught.value.retryable


def test_equal_searches_normalise_to_one_key_and_different_ones_do_not():
    base = normalise("hotel", hotel_criteria())
    same = normalise("hotel", {"rooms": "1", "guests": " 2", "check_out": hotel_criteria()["check_out"].isoformat(),
                               "destination": "  bALi ", "check_in": str(hotel_criteria()["check_in"])})
    assert cache_key("hotel", same) == cache_key("hotel", base)
    assert normalise("hotel", {k: v for k, v in hotel_criteria().items() if k not in ("guests", "rooms")}) == base
    assert cache_key("hotel", normalise("hotel", hotel_criteria(guests=3))) != cache_key("hotel", base)
    assert cache_key("flight", normalise("flight", {"origin": "Bali", "destination": "x", "date": "2030-01-01"})) \
        != cache_key("activity", normalise("activity", {"city": "Bali", "date": "2030-01-01"}))


@pytest.mark.parametrize("criteria, message", [
    ({"check_in": "2030-01-01", "check_out": "2030-01-02"}, "destination"),
    ({"destination": "Bali", "check_in": "01/02/2030", "check_out": "2030-01-03"}, "check in"),
    ({"destination": "Bali", "check_in": "2030-01-01", "check_out": "2030-01-03", "guests": "two"}, "guests"),
    ({"destination": "Bali", "check_in": "2030-01-01", "check_out": "2030-01-03", "pets": 1}, "pets"),
])
def test_criteria_that_cannot_be_sent_are_rejected_before_any_call(criteria, message):
    with pytest.raises(InvalidCriteria, match=message):
        search_offers(kind="hotel", **criteria)


def test_without_a_supplier_url_the_shipped_sandbox_is_started_in_process(suppliers_sandbox, settings):
    settings.SUPPLIER_API_URL = ""  # (the fixture only reset the shared sandbox app's knobs)

    found = search_offers(kind="activity", city="Penang", date=hotel_criteria()["check_in"])

    assert len(found.offers) == 5 and all(o.supplier == "Sandbox Travel Supply" for o in found.offers)
    from sandboxes.embedded import _servers
    assert "suppliers" in _servers
