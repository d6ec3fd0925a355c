"""Reconciliation: each channel's own view, read back over HTTP, compared with inventory; drift
(whether we lost a push or the channel changed something itself) found and repaired in one run,
and a report staff can read."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings

from channels.adapters import adapter_for
from channels.adapters.base import Update
from channels.models import DirtyMark, ReconciliationReport
from channels.services.reconciling import listing_reconcile, listing_resync
from inventory.models import RoomNight
from tests.channels.domain import RATE_CODE, ROOM_CODE, list_hotel, ota  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def synced(ota, eager_tasks):
    """A hotel whose five channels were fully synced (a resync each), ten nights ahead."""
    hotel = list_hotel(total=4, days=10)
    RoomNight.objects.filter(room_type=hotel.room_type).update(min_stay=2)
    for listing in hotel.listings.values():
        assert listing_resync(listing_id=listing.pk).status == "sent"
    return hotel


def view(listing, day):
    """The channel's own view of one night, as its read-back API says."""
    shown = adapter_for(listing.channel.code).read_back(hotel_code=listing.hotel_code, room_code=ROOM_CODE,
                                                         start=day, end=day)
    return next(u for u in shown if u.rate_code in (RATE_CODE, ""))


@pytest.mark.parametrize("channel", ["booking_com", "expedia", "agoda", "traveloka", "trip_com"])
def test_drift_is_found_and_repaired_in_one_run_and_the_report_says_so(synced, channel):
    listing = synced.listings[channel]
    day = listing.property.local_today() + timedelta(days=3)
    # given: the channel shows two more rooms than are left, a wrong price and no minimum stay
    adapter_for(channel).push(hotel_code=listing.hotel_code, updates=[Update(
        room_code=ROOM_CODE, rate_code=RATE_CODE, start=day, end=day, available=6, price=Decimal("1.00"),
        min_stay=1)])
    assert view(listing, day).available == 6

    report = listing_reconcile(listing_id=listing.pk)

    assert report.outcome == "repaired", report.failures
    found = {(d["date"], d["field"]) for d in report.drift}
    assert {(day.isoformat(), "available"), (day.isoformat(), "price"), (day.isoformat(), "min_stay")} <= found
    shown = view(listing, day)
    assert (shown.available, shown.price, shown.min_stay) == (4, Decimal("100.00"), 2)
    assert listing_reconcile(listing_id=listing.pk).outcome == "in_sync"


def test_a_channel_that_reopened_sold_rooms_on_its_own_is_closed_again(synced):
    listing = synced.listings["booking_com"]
    day = listing.property.local_today() + timedelta(days=5)
    RoomNight.objects.filter(room_type=synced.room_type, date=day).update(available=0)
    listing_resync(listing_id=listing.pk)
    adapter_for("booking_com").push(hotel_code=listing.hotel_code, updates=[Update(
        room_code=ROOM_CODE, rate_code=RATE_CODE, start=day, end=day, available=2)])

    report = listing_reconcile(listing_id=listing.pk)

    assert {"date": day.isoformat(), "field": "available", "channel": 2, "ours": 0}.items() <= next(
        d for d in report.drift if d["field"] == "available").items()
    assert view(listing, day).available == 0


def test_dirty_dates_are_pushed_again_and_the_mark_cleared(synced):
    listing = synced.listings["expedia"]
    day = listing.property.local_today() + timedelta(days=2)
    mark = DirtyMark.objects.create(listing=listing, room_type=synced.room_type, start=day, end=day,
                                    reason="Push gave up: expedia did not answer")

    report = listing_reconcile(listing_id=listing.pk)

    mark.refresh_from_db()
    assert mark.cleared_at is not None
    assert report.repaired >= 1 and report.outcome in ("repaired", "in_sync")


def test_a_channel_that_cannot_be_read_is_reported_as_failing_and_nothing_is_lost(synced, ota, settings):
    listing = synced.listings["trip_com"]
    ota.configure(timeout_next=20)
    settings.CHANNEL_HTTP_TIMEOUT = 0.5

    report = listing_reconcile(listing_id=listing.pk)

    assert report.outcome == "failing"
    assert any("did not answer" in f["error"] for f in report.failures)
    assert ReconciliationReport.objects.filter(listing=listing).count() == 1
