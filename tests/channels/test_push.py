"""Availability, rates and restrictions going out to the five channels, in-process (eager tasks),
over real HTTP to the sandbox OTA and on real PostgreSQL/Redis. Each test reads what the hotel
would check: every channel's own view.

Eager tasks ignore countdowns: a flush runs as soon as it is scheduled and a retry at once (the
limiter still waits out a channel's Retry-After). The single-date channel (Agoda-like) gets a
change that closes nothing out only from the batch: these tests call ``channels.flush_batched``
as its beat's next tick would, with the batch due at once. When a batch is due is tested below. Coalescing and the retry delays themselves are in test_push_workers.py.
"""
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.core.cache import cache
from django.utils import timezone

from channels import limiter
from channels.adapters import adapter_for, recording
from channels.availability import listing_updates
from channels.models import DirtyMark, Listing, PendingChange, PushStep, RoomMapping
from channels.services.pushing import BATCH_SEND_ALLOWANCE_S, listings_due
from channels.tasks import flush_batched
from inventory.models import Rate, RoomNight
from inventory.services import inventory_adjust, inventory_rate_adjust, inventory_release, inventory_reserve
from inventory.stays import Stay
from tests.channels.domain import HOTEL_CODES, RATE_CODE, ROOM_CODE, list_hotel, ota  # noqa: F401  (fixture)
from tests.channels.helpers import with_credentials
from tests.channels.push_helpers import BULK, OTAS, days, everywhere, reserve, shown, view
from tests.factories import RoomTypeFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pushing(ota, eager_tasks, settings):
    settings.CHANNEL_PUSH_BATCH_SECONDS = 0  # Agoda's batch is due at the beat's next tick
    return ota


def test_a_booking_reaches_every_channel_and_a_cancellation_gives_the_room_back(pushing):
    # given: 3 rooms a night, listed on five OTAs
    hotel = list_hotel(total=3)
    nights = [days(10), days(11)]

    # when: Booking.com sells a room for two nights
    hold = reserve(hotel, days(10), nights=2, source="booking_com")

    # then: the bulk channels show it at once, Agoda with its batch
    for night in nights:
        assert {c: shown(pushing, c, night) for c in BULK} == dict.fromkeys(BULK, 2)
    assert shown(pushing, "agoda", days(10)) is None
    flush_batched.delay()
    for night in nights:
        assert everywhere(pushing, night) == dict.fromkeys(OTAS, 2)
    assert everywhere(pushing, days(12)) == dict.fromkeys(OTAS, None)  # nothing else was pushed

    # when: it is cancelled
    inventory_release(hold=hold)
    flush_batched.delay()

    # then: the room is back everywhere
    for night in nights:
        assert everywhere(pushing, night) == dict.fromkeys(OTAS, 3)


def test_agodas_batch_goes_when_its_oldest_change_leaves_just_time_to_show_it_within_the_batch(pushing, settings):
    # given: a booking, with Agoda's batch at its default 30 s
    settings.CHANNEL_PUSH_BATCH_SECONDS = 30
    hotel = list_hotel(total=3)
    reserve(hotel, days(10))
    waiting = PendingChange.objects.filter(listing=hotel.listings["agoda"])
    due_at = settings.CHANNEL_PUSH_BATCH_SECONDS - BATCH_SEND_ALLOWANCE_S

    # when: the beat ticks with the change fresh, then just before it is due
    flush_batched.delay()
    waiting.update(created_at=timezone.now() - timedelta(seconds=due_at - 1))
    flush_batched.delay()

    # then: Agoda still waits (the bulk channels show it at once)
    assert shown(pushing, "agoda", days(10)) is None
    assert {c: shown(pushing, c, days(10)) for c in BULK} == dict.fromkeys(BULK, 2)

    # when: the tick after it is due
    waiting.update(created_at=timezone.now() - timedelta(seconds=due_at))
    flush_batched.delay()

    # then
    assert shown(pushing, "agoda", days(10)) == 2
    assert not waiting.exists()


def test_a_push_closes_out_the_sold_out_night_before_anything_else(pushing):
    # given: two rooms a night, one already gone on the middle night
    hotel = list_hotel(total=2)
    reserve(hotel, days(11))
    flush_batched.delay()

    # when: one stay takes a room on three nights, the middle one its last
    with recording() as exchanges:
        reserve(hotel, days(10), nights=3)

    # then: the close-out is the first Update of the push and the first thing each channel hears
    updates = listing_updates(listing=hotel.listings["expedia"], prices=False,
                              dates={hotel.room_type.pk: [days(10), days(11), days(12)]})
    assert [(u.start, u.end, u.available) for u in updates] == [
        (days(11), days(11), 0), (days(10), days(10), 1), (days(12), days(12), 1)]
    sent = {e.channel: e for e in reversed(exchanges)}  # the first call to each channel
    assert set(sent) == set(OTAS)  # Agoda too: a close-out does not wait for the batch
    assert json.loads(sent["agoda"].request_body)["date"] == days(11).isoformat()
    for channel in BULK:
        body = sent[channel].request_body.decode()
        first, second = body.find(days(11).isoformat()), body.find(days(10).isoformat())
        assert -1 < first < second, (channel, body)
    assert everywhere(pushing, days(11)) == dict.fromkeys(OTAS, 0)
    assert everywhere(pushing, days(10)) == dict.fromkeys(OTAS, 1)


@pytest.fixture
def fast_retries(settings):
    settings.CHANNEL_PUSH_RETRY_DELAYS = [0.2, 0.4, 0.8]
    settings.CHANNEL_HTTP_TIMEOUT = 0.5
    return settings.CHANNEL_PUSH_RETRY_DELAYS


def test_a_channel_that_times_out_is_retried_then_marked_dirty_and_a_later_push_clears_it(pushing, fast_retries,
                                                                                        monkeypatch):
    # given: the next four calls hang: Booking.com's, the first channel a change is pushed to
    # (listings go in channel-name order, and Agoda waits for its batch) and its three retries.
    # A hung call is still applied when it wakes: it hangs 1 s here (we wait 0.5 s), not the
    # sandbox's 30 s, which would write this test's stale values into a later test's views.
    monkeypatch.setattr(import_module("sandboxes.ota.app"), "TIMEOUT_SLEEP_S", 1.0)
    hotel = list_hotel(total=3)
    pushing.configure(timeout_next=1 + len(fast_retries))
    listing = hotel.listings["booking_com"]

    # when: a room is sold for two nights
    reserve(hotel, days(10), nights=2, source="expedia")

    # then: Booking.com was tried four times, gave up and is marked dirty for exactly those nights
    step = PushStep.objects.get(listing=listing)
    assert (step.status, step.attempts) == (PushStep.Status.GAVE_UP, 1 + len(fast_retries))
    assert "did not answer" in step.error
    marks = list(DirtyMark.objects.filter(listing=listing).values_list("room_type_id", "start", "end", "cleared_at"))
    assert marks == [(hotel.room_type.pk, days(10), days(11), None)]
    assert {c: shown(pushing, c, days(10)) for c in BULK if c != "booking_com"} == dict.fromkeys(
        ("expedia", "traveloka", "trip_com"), 2)  # the others did not wait for it
    assert not DirtyMark.objects.exclude(listing=listing).exists()
    time.sleep(1.2)  # every hung call has woken and been applied (late, as a real channel might)

    # when: the next change of the same nights goes out (the channel answers again)
    reserve(hotel, days(10), nights=2, source="trip_com")

    # then: Booking.com shows the truth and the mark is cleared
    assert shown(pushing, "booking_com", days(10)) == shown(pushing, "booking_com", days(11)) == 1
    assert DirtyMark.objects.get(listing=listing).cleared_at is not None


def test_a_channel_that_is_down_gives_up_after_the_retries_and_the_others_are_unaffected(pushing, fast_retries,
                                                                                      settings):
    hotel = list_hotel(total=3)
    with_credentials(settings, "expedia", url="http://127.0.0.1:9/expedia")  # nothing listens there

    reserve(hotel, days(20), source="booking_com")

    step = PushStep.objects.get(listing=hotel.listings["expedia"])
    assert (step.status, step.attempts) == (PushStep.Status.GAVE_UP, 4)
    assert DirtyMark.objects.filter(listing=hotel.listings["expedia"], start=days(20), end=days(20)).count() == 1
    assert {c: shown(pushing, c, days(20)) for c in BULK} == {
        "booking_com": 2, "expedia": None, "traveloka": 2, "trip_com": 2}


def second_room_type(hotel, *, room_code: str = "STD", total: int = 4):
    """Another room type of the hotel, mapped on every listing (same rate plan)."""
    room_type = RoomTypeFactory(property=hotel.room_type.property)
    nights = [days(i) for i in range(30)]
    RoomNight.objects.bulk_create(RoomNight(room_type=room_type, date=d, total=total, available=total) for d in nights)
    Rate.objects.bulk_create(Rate(room_type=room_type, rate_plan=hotel.rate_plan, date=d, double=Decimal("80"),
                                  single=Decimal("70"), extra_guest=Decimal("20")) for d in nights)
    for listing in hotel.listings.values():
        RoomMapping.objects.create(listing=listing, room_type=room_type, room_code=room_code)
    return room_type


def test_agoda_refusing_one_room_retries_only_its_items_then_marks_them_dirty(pushing, fast_retries):
    # given: two room types on Agoda, which refuses the second
    hotel = list_hotel(total=3)
    standard = second_room_type(hotel, room_code="STD")
    pushing.configure(refuse_items=["STD"])
    listing = hotel.listings["agoda"]

    # when: both sell a room and Agoda's batch goes out
    reserve(hotel, days(10), nights=2)
    inventory_reserve(room_type=standard, source="expedia", stay=Stay(days(10), days(11), rooms=1, guests=2))
    flush_batched.delay()

    # then: the batch went out once, partly refused; only the refused nights were tried again
    change = PushStep.objects.get(listing=listing, kind=PushStep.Kind.CHANGE)
    assert change.status == PushStep.Status.PARTIAL
    assert change.dates == {str(hotel.room_type.pk): [days(10).isoformat(), days(11).isoformat()],
                            str(standard.pk): [days(10).isoformat()]}
    retries = list(PushStep.objects.filter(listing=listing, kind=PushStep.Kind.RETRY).order_by("pk"))
    assert [r.dates for r in retries] == [{str(standard.pk): [days(10).isoformat()]}] * len(fast_retries)
    assert [r.attempts for r in retries] == [2, 3, 4]
    assert {r["room_code"] for s in [change, *retries] for r in s.refused} == {"STD"}
    # after the last retry: dirty for that room type and night only
    assert list(DirtyMark.objects.filter(listing=listing, cleared_at=None)
                .values_list("room_type_id", "start", "end")) == [(standard.pk, days(10), days(10))]
    # what was accepted is shown; the refused room is not
    assert [shown(pushing, "agoda", d) for d in (days(10), days(11))] == [2, 2]
    assert view(pushing, "agoda", room_code="STD") == {}


def test_a_burst_stays_under_the_channels_rate_limit_spread_over_seconds(pushing, settings):
    # given: Agoda takes 3 calls a second, and we know it
    hotel = list_hotel(total=3)
    pushing.configure(rate_limits={"agoda": 3})
    settings.CHANNEL_RATE_LIMITS = {**settings.CHANNEL_RATE_LIMITS, "agoda": 3}
    reserve(hotel, days(10), nights=10)

    # when: the batch needs ten single-date calls
    with recording() as exchanges:
        started = time.monotonic()
        flush_batched.delay()
        took = time.monotonic() - started

    # then: no 429, all ten nights shown, and the calls were spread out
    agoda = [e for e in exchanges if e.channel == "agoda"]
    assert [e.status for e in agoda] == [200] * 10
    assert took >= 3.0, took  # ten calls at three a second
    assert [shown(pushing, "agoda", days(10 + i)) for i in range(10)] == [2] * 10


def test_a_429_from_the_channel_is_waited_out_and_the_push_goes_through(pushing, settings):
    # given: Booking.com allows 2 calls a second and someone else used them up just now
    hotel = list_hotel(total=3)
    pushing.configure(rate_limits={"booking_com": 2})
    settings.CHANNEL_RATE_LIMITS = {**settings.CHANNEL_RATE_LIMITS, "booking_com": 20}  # ours is higher
    adapter = adapter_for("booking_com")
    for _ in range(2):
        adapter.read_back(hotel_code=HOTEL_CODES["booking_com"], room_code=ROOM_CODE, start=days(10), end=days(10))

    # when: a room is sold
    with recording() as exchanges:
        started = time.monotonic()
        reserve(hotel, days(10), source="expedia")
        took = time.monotonic() - started

    # then: the 429 was obeyed (Retry-After: 1) and the retry went through
    statuses = [e.status for e in exchanges if e.channel == "booking_com"]
    assert statuses == [429, 200], statuses
    assert took >= 0.9, took
    step = PushStep.objects.get(listing=hotel.listings["booking_com"])
    assert (step.status, step.attempts) == (PushStep.Status.SENT, 2)
    assert everywhere(pushing, days(10)) | {"agoda": 2} == dict.fromkeys(OTAS, 2)


def night_of(hotel, day):
    return RoomNight.objects.get(room_type=hotel.room_type, date=day)


def test_staff_rates_and_restrictions_show_on_every_channel_as_it_expresses_them(pushing):
    # given
    hotel = list_hotel(total=3)

    # when: staff set a minimum stay and closed-to-arrival, a stop-sell, and a price
    inventory_adjust(room_type=hotel.room_type, night=days(10), version=night_of(hotel, days(10)).version,
                     min_stay=2, closed_to_arrival=True)
    inventory_adjust(room_type=hotel.room_type, night=days(11), version=night_of(hotel, days(11)).version,
                     stop_sell=True)
    rate = Rate.objects.get(room_type=hotel.room_type, rate_plan=hotel.rate_plan, date=days(12))
    inventory_rate_adjust(rate=rate, version=rate.version, double=Decimal("155.00"))
    flush_batched.delay()

    # then: each channel's own read-back of those nights says the same as inventory
    for channel in OTAS:
        read = adapter_for(channel).read_back(hotel_code=HOTEL_CODES[channel], room_code=ROOM_CODE,
                                              start=days(10), end=days(12))
        flex = {u.start: u for u in read if u.rate_code == RATE_CODE}
        assert sorted(flex) == [days(10), days(11), days(12)], (channel, read)
        assert (flex[days(10)].min_stay, flex[days(10)].closed_to_arrival) == (2, True), (channel, flex[days(10)])
        assert flex[days(11)].stop_sell is True, (channel, flex[days(11)])
        assert flex[days(12)].price == Decimal("155.00"), (channel, flex[days(12)])
        assert flex[days(12)].stop_sell is not True and flex[days(10)].stop_sell is not True, channel
        assert {u.start: u.available for u in read} == dict.fromkeys(flex, 3), channel


def test_callers_sharing_a_channel_never_get_more_than_its_limit_into_any_one_second(settings):
    # given: a limit of 4 a second, and three workers with four calls each
    settings.CHANNEL_RATE_LIMITS = {**settings.CHANNEL_RATE_LIMITS, "agoda": 4}
    sent: list[float] = []

    def worker():
        for _ in range(4):
            limiter.call_slot("agoda")
            sent.append(time.monotonic())

    # when
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then: wherever a channel starts counting, a second holds at most 4 of the 12
    sent.sort()
    assert len(sent) == 12
    assert max(sum(start <= t < start + 1 for t in sent) for start in sent) <= 4, sent


LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limiter-test"}}


@pytest.mark.parametrize("store", ["shared (Redis)", "one process (embedded)"])
def test_a_quiet_channels_calls_go_at_once_up_to_its_limit_and_the_next_after_the_span(settings, store):
    # given: a channel limited to 4 calls a second, nobody calling it
    if store.startswith("one process"):
        settings.CACHES = LOCAL_CACHE
    settings.CHANNEL_RATE_LIMITS = {**settings.CHANNEL_RATE_LIMITS, "agoda": 4}
    cache.delete("channels:rate-log:agoda")
    limiter._local_logs.clear()

    # when: five calls ask for their start
    asked = time.time()
    starts = [limiter._take("agoda", 4, within=10) for _ in range(5)]

    # then: four go at once (no waiting for a slot), the fifth once the first leaves the span
    assert [round(start - asked, 1) for start in starts[:4]] == [0.0] * 4, starts
    assert starts[4] - starts[0] >= limiter.SPACING - 0.01, starts


@pytest.mark.django_db
def test_a_batch_goes_earlier_when_other_listings_wait_for_the_same_single_date_channel(settings):
    # given: Agoda's batch at 30 s and 20 calls a second; one hotel's change 20 s old
    settings.CHANNEL_PUSH_BATCH_SECONDS = 30
    settings.CHANNEL_RATE_LIMITS = {**settings.CHANNEL_RATE_LIMITS, "agoda": 20}
    first = list_hotel(channels=("agoda",)).listings["agoda"]
    twenty_seconds_ago = timezone.now() - timedelta(seconds=20)
    PendingChange.objects.create(listing=first, room_type=first.room_mappings.get().room_type, date=days(10))
    PendingChange.objects.filter(listing=first).update(created_at=twenty_seconds_ago)

    # then: alone on the channel, its one call leaves time: it waits (30 - 5 - 0.055 s > 20 s)
    assert first.pk not in listings_due()

    # when: another hotel has 120 nights waiting for Agoda, fresh (its own batch is far from due)
    second = Listing.objects.create(channel=first.channel, property=RoomTypeFactory().property, hotel_code="AG-2")
    other_room = RoomTypeFactory(property=second.property)
    PendingChange.objects.bulk_create(
        PendingChange(listing=second, room_type=other_room, date=days(n)) for n in range(1, 121))

    # then: the 121 calls ahead of the channel's one limit take 6.7 s: the first hotel's batch is due
    # now, or it would reach Agoda after 30 s; the second hotel's is not
    assert listings_due() == [first.pk]
