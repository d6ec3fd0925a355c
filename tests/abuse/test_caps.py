"""What one traveller may hold at once: 3 unpaid bookings, 30 room-nights among them, 10 price
locks. Past a cap the answer is a 409 saying what to do, and nothing is written."""
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from bookings import limits
from bookings.models import Booking, PlacementKey
from inventory.models import RoomNight
from tests.concurrency import run_concurrently
from tests.factories import RoomTypeFactory, guests_body, sellable_room_type

pytestmark = pytest.mark.django_db


def stay(room, *, days_ahead=1, nights=2, rooms=1):
    guests = max(2, rooms)
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return {"kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(), "rooms": rooms, "guests": guests, "coin": "BTC"}


def lock(client, room, **kw):
    return client.post("/api/bookings/locks/", stay(room, **kw), content_type="application/json")


def place(client, lock_id, key, guests=2):
    return client.post("/api/bookings/", {"lock_id": lock_id, "guests": guests_body(guests)}, content_type="application/json",
                       headers={"Idempotency-Key": key})


def locked(client, room, **kw) -> str:
    response = lock(client, room, **kw)
    assert response.status_code == 201, response.content
    return response.json()["lock_id"]


def booked(client, room, key, **kw) -> str:
    response = place(client, locked(client, room, **kw), key)
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def available(room) -> list[int]:
    return list(RoomNight.objects.filter(room_type=room[0]).order_by("date").values_list("available", flat=True))


def test_the_fourth_unpaid_booking_is_refused_with_a_409_and_nothing_is_written(api, room):
    # given four price locks, then three bookings placed and left unpaid
    lock_ids = [locked(api, room, days_ahead=1 + 3 * n) for n in range(4)]
    for n in range(3):
        assert place(api, lock_ids[n], f"key-{n}").status_code == 201
    nights_before = available(room)

    # when the fourth is placed
    refused = place(api, lock_ids[3], "key-3")

    # then it is refused, says what to do, and nothing was written
    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "too_many_pending"
    assert "3 bookings awaiting payment" in body["detail"] and "Pay for one or cancel it" in body["detail"]
    assert Booking.objects.count() == 3 and not PlacementKey.objects.filter(key="key-3").exists()
    assert available(room) == nights_before
    # and a new lock is refused up front, before any price is quoted
    assert lock(api, room, days_ahead=20).json()["error"] == "too_many_pending"

    # once one is cancelled, the fourth lock (given back, still valid) books
    first = Booking.objects.order_by("pk").first()
    assert api.post(f"/api/bookings/{first.reference}/cancel/", {}, content_type="application/json").status_code == 200
    assert place(api, lock_ids[3], "key-3").status_code == 201


def test_paid_bookings_do_not_count(api, room):
    for n in range(3):
        booked(api, room, f"key-{n}", days_ahead=1 + 3 * n)
    Booking.objects.update(status=Booking.Status.CONFIRMED)

    assert lock(api, room, days_ahead=12).status_code == 201


def test_the_31st_room_night_is_refused(api, room):
    # 2 rooms × 14 nights, then 1 room × 2 nights: 30 room-nights waiting for payment
    booked(api, room, "big", days_ahead=1, nights=14, rooms=2)
    booked(api, room, "small", days_ahead=16, nights=2)
    nights_before = available(room)

    refused = lock(api, room, days_ahead=20, nights=1)

    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "too_many_room_nights"
    assert "hold 30 room-nights and this stay adds 1; at most 30" in body["detail"]
    assert Booking.objects.count() == 2 and available(room) == nights_before


def test_the_room_night_cap_is_checked_again_when_placing(api, room):
    early = locked(api, room, days_ahead=1, nights=14, rooms=2)  # 28, locked while nothing was held
    booked(api, room, "first", days_ahead=16, nights=3)  # 3 held now

    refused = place(api, early, "second")

    assert refused.status_code == 409 and refused.json()["error"] == "too_many_room_nights"
    assert Booking.objects.count() == 1


def test_one_account_cannot_hold_a_whole_hotel(api, coins):
    """The report: all 24 rooms of a hotel for 30 nights in four bookings."""
    hotel = sellable_room_type(room_type=RoomTypeFactory(), days=31, total=24)

    answers = [lock(api, hotel, days_ahead=1, nights=30, rooms=6) for _ in range(4)]

    assert [a.status_code for a in answers] == [409] * 4
    assert {a.json()["error"] for a in answers} == {"too_many_room_nights"}
    assert set(available(hotel)) == {24} and not Booking.objects.exists()


def test_the_eleventh_live_price_lock_is_refused_and_not_stored(api, room):
    ids = [locked(api, room, days_ahead=1 + n) for n in range(10)]
    stored_before = set(cache.keys("bookings:lock:*"))

    refused = lock(api, room, days_ahead=12)

    assert refused.status_code == 409
    body = refused.json()
    assert body["error"] == "too_many_locks" and "lock_id" not in body
    assert "10 price locks from the last 10 minutes" in body["detail"] and "Book with one of them" in body["detail"]
    assert set(cache.keys("bookings:lock:*")) == stored_before and len(stored_before) == 10
    # the ten it holds still book
    assert place(api, ids[0], "with-the-first").status_code == 201


def test_a_quote_that_fails_gives_its_lock_place_back(api, room):
    RoomNight.objects.filter(room_type=room[0]).update(available=0)  # sold out: every quote is refused
    for _ in range(12):
        assert lock(api, room).json()["error"] == "unbookable"
    RoomNight.objects.filter(room_type=room[0]).update(available=5)

    assert lock(api, room).status_code == 201


def test_the_checkout_pages_show_the_refusal(api, room):
    for n in range(3):
        booked(api, room, f"key-{n}", days_ahead=1 + 3 * n)
    form = {k: v for k, v in stay(room, days_ahead=20).items() if k != "kind"}

    page = api.post("/book/lock/", form)

    assert page.status_code == 409
    assert "3 bookings awaiting payment" in page.content.decode()


def test_a_cap_of_zero_is_off(api, room, settings):
    settings.BOOKINGS_MAX_LIVE_LOCKS = 0
    for n in range(12):
        locked(api, room, days_ahead=1 + n)


def _six_at_once(room, traveller) -> list[int]:
    api = Client()
    api.force_login(traveller)
    lock_ids = [locked(api, room, days_ahead=1 + 3 * n) for n in range(6)]
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(traveller)
        clients.append(client)
    return run_concurrently(6, lambda i: place(clients[i], lock_ids[i], f"at-once-{i}").status_code)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_six_placements_at_once_make_three_bookings(room, traveller):
    codes = _six_at_once(room, traveller)

    assert sorted(codes) == [201] * 3 + [409] * 3
    assert Booking.objects.filter(user=traveller, status=Booking.Status.PENDING).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_traveller_lock_placements_at_once_pass_the_cap(room, traveller, monkeypatch):
    monkeypatch.setattr(limits, "SERIALIZE_PER_TRAVELLER", False)

    codes = _six_at_once(room, traveller)

    assert codes.count(201) > 3
    assert Booking.objects.filter(user=traveller, status=Booking.Status.PENDING).count() > 3


class SilentCache:
    """A cache that swallows its errors, as django-redis does with IGNORE_EXCEPTIONS while Redis
    is down: nothing is read, nothing is added."""

    def get_many(self, keys):
        return {}

    def add(self, *args, **kwargs):
        return False


class RaisingCache:
    def get_many(self, keys):
        raise ConnectionError("Redis is down")


@pytest.mark.parametrize("down", [SilentCache(), RaisingCache()], ids=["silent", "raising"])
def test_a_cache_that_cannot_answer_is_not_taken_for_ten_locks(monkeypatch, down):
    """Redis down is not "you hold too many locks": the cap steps aside and storing the lock
    itself (which needs the cache) gives the answer."""
    monkeypatch.setattr(limits, "cache", down)

    assert limits.take_lock_place(user_id=1) is None


def test_when_every_place_is_taken_meanwhile_the_lock_is_refused(monkeypatch):
    class Raced:  # the first read sees free places; by the time we add, others have them all
        reads = 0

        def get_many(self, keys):
            self.reads += 1
            return {} if self.reads == 1 else {key: 1 for key in keys}

        def add(self, *args, **kwargs):
            return False

    monkeypatch.setattr(limits, "cache", Raced())

    with pytest.raises(limits.TooManyLocks):
        limits.take_lock_place(user_id=1)
