"""Placing a booking through the JSON API and the checkout pages: one transaction, one booking
per Idempotency-Key, 410 for a gone price lock, 409 for a reused key with another body."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bookings.models import Booking, PlacementKey
from core.models import OutboxMessage
from inventory.models import RoomNight
from tests.concurrency import row_locked, run_concurrently
from tests.factories import UserFactory, guests_body

pytestmark = pytest.mark.django_db


def _stay(room, *, days_ahead=10, nights=2, rooms=1, plan=1):
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return {"kind": "stay", "room_type": room[0].pk, "rate_plan": room[plan].pk, "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(), "rooms": rooms, "guests": 2, "coin": "BTC"}


def _lock(client, room, **kw):
    response = client.post("/api/bookings/locks/", _stay(room, **kw), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _place(client, lock_id, key="key-1"):
    return client.post("/api/bookings/", {"lock_id": lock_id, "guests": guests_body()}, content_type="application/json",
                       headers={"Idempotency-Key": key})


def _available(room, days_ahead=10, nights=2):
    start = timezone.localdate() + timedelta(days=days_ahead)
    return list(RoomNight.objects.filter(room_type=room[0], date__gte=start, date__lt=start + timedelta(days=nights))
                .order_by("date").values_list("available", flat=True))


def test_lock_prices_the_stay_with_taxes_and_fees_in_the_chosen_coin(api, room):
    lock = _lock(api, room)
    # 2 nights × 100.00, 10 % tax, 5.00 fee per night
    assert lock["total"] == "230.00" and lock["currency"] == "USD" and lock["coin"] == "BTC"
    assert Decimal(lock["amount_due"]) > 0 and 598 <= lock["seconds_left"] <= 600


def test_placing_answers_pending_with_payment_instructions_and_writes_everything(
    api, room, traveller, django_capture_on_commit_callbacks
):
    lock = _lock(api, room)
    with django_capture_on_commit_callbacks(execute=False):
        response = _place(api, lock["lock_id"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["total"] == "230.00"
    assert body["payment"]["pay_url"] == f"/pay/{body['reference']}/"
    assert body["payment"]["coin"] == "BTC" and body["payment"]["amount"] == lock["amount_due"]
    booking = Booking.objects.get(reference=body["reference"])
    assert booking.user == traveller and booking.hold.reference == booking.reference
    assert _available(room) == [4, 4]
    assert list(booking.events.values_list("action", flat=True)) == ["booking.placed"]
    placed = OutboxMessage.objects.get(key=booking.reference, topic="booking.placed").payload
    assert placed == {"reference": booking.reference, "user_id": traveller.pk, "kind": "stay",
                      "property_id": room[0].property_id, "total": "230.00", "currency": "USD", "points_redeemed": 0}
    from bookings.payments.models import Invoice

    assert Invoice.objects.get(reference=booking.reference).amount_due == booking.crypto_amount


def _answer_and_read(api, room):
    placed = _place(api, _lock(api, room)["lock_id"]).json()
    read = api.get(f"/api/bookings/{placed['reference']}/").json()
    read.pop("timeline")
    return placed, read


def test_the_placement_answer_is_what_reading_the_booking_gives(api, room):
    """Placing answers from the rows it has just written (guests, invoice): the same as a read."""
    placed, read = _answer_and_read(api, room)

    assert placed == read
    assert placed["guests"]["others"] == guests_body()["others"] and placed["payment"]["status"] == "new"
    assert placed["payment"]["address"] == ""  # the processor is asked after commit, by a worker


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_mode_the_answer_carries_the_address_submitted_after_commit(
        api, room, settings, clean_sandboxes):
    """No broker: the invoice is submitted in-process right after COMMIT, before the answer."""
    settings.CELERY_TASK_ALWAYS_EAGER, settings.OUTBOX_RELAY = True, "inline"

    placed, read = _answer_and_read(api, room)

    assert placed == read and placed["payment"]["address"]


def test_the_booking_keeps_the_cancellation_terms_locked_with_its_price(api, room):
    flexible = room[1]
    shown_days = flexible.free_cancellation_days
    assert flexible.refundable and shown_days > 0
    lock = _lock(api, room)
    flexible.refundable, flexible.free_cancellation_days = False, 0  # the hotel changes the plan's terms
    flexible.save()

    booking = Booking.objects.get(reference=_place(api, lock["lock_id"]).json()["reference"])

    assert (booking.refundable, booking.free_cancellation_days) == (True, shown_days)


def test_the_same_key_twice_returns_the_same_booking(api, room):
    lock = _lock(api, room)
    first, second = _place(api, lock["lock_id"]), _place(api, lock["lock_id"])
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"]
    assert Booking.objects.count() == 1 and _available(room) == [4, 4]


def test_the_same_key_with_another_body_is_a_409(api, room):
    first = _lock(api, room)
    other = _lock(api, room, days_ahead=12)
    assert _place(api, first["lock_id"]).status_code == 201
    response = _place(api, other["lock_id"])
    assert response.status_code == 409 and response.json()["error"] == "idempotency_conflict"
    assert Booking.objects.count() == 1
    assert _place(api, other["lock_id"], key="key-2").status_code == 201  # the lock was not used up


def test_a_used_lock_is_a_410_with_a_requote_link(api, room):
    lock = _lock(api, room)
    _place(api, lock["lock_id"], key="a")
    response = _place(api, lock["lock_id"], key="b")
    assert response.status_code == 410
    assert response.json()["error"] == "lock_used" and response.json()["requote_url"].startswith("/book/?room_type=")


def test_an_expired_lock_is_a_410_and_nothing_is_written(api, room):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        lock = _lock(api, room)
        clock.shift(timedelta(minutes=10, seconds=1))
        response = _place(api, lock["lock_id"])
    assert response.status_code == 410
    assert response.json()["error"] == "lock_expired" and "fresh quote" in response.json()["detail"]
    assert not Booking.objects.exists() and not PlacementKey.objects.exists()
    assert _available(room) == [5, 5]


def test_sold_out_is_a_409_and_the_lock_survives(api, room):
    lock = _lock(api, room, rooms=2)
    RoomNight.objects.filter(room_type=room[0]).update(available=1)
    response = _place(api, lock["lock_id"])
    assert response.status_code == 409 and response.json()["error"] == "sold_out"
    assert not Booking.objects.exists()
    RoomNight.objects.filter(room_type=room[0]).update(available=5)
    assert _place(api, lock["lock_id"]).status_code == 201


@pytest.mark.parametrize("body, header, message", [
    ({"lock_id": "x" * 32, "guests": guests_body()}, "", "Idempotency-Key header is required"),
    ({}, "k", "lock_id"),
])
def test_bad_requests_are_400_with_a_message(api, body, header, message):
    response = api.post("/api/bookings/", body, content_type="application/json", headers={"Idempotency-Key": header})
    assert response.status_code == 400 and message in response.json()["detail"]


def test_bad_lock_input_is_400_with_a_message(api, room):
    bad = {**_stay(room), "check_out": _stay(room)["check_in"]}
    response = api.post("/api/bookings/locks/", bad, content_type="application/json")
    assert response.status_code == 400 and "Check-out must be after check-in" in response.json()["detail"]
    response = api.post("/api/bookings/locks/", {**_stay(room), "coin": "NOPE"}, content_type="application/json")
    assert response.status_code == 400 and "not accepted" in response.json()["detail"]


def test_booking_needs_a_signed_in_traveller_who_sees_only_their_own(client, api, room):
    reference = _place(api, _lock(api, room)["lock_id"]).json()["reference"]
    assert Client().post("/api/bookings/", {"lock_id": "x"}).status_code == 403
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"/api/bookings/{reference}/").status_code == 404
    assert other.get(f"/bookings/{reference}/").status_code == 404
    assert other.get("/api/bookings/").json() == {"bookings": []}
    assert api.get(f"/api/bookings/{reference}/").json()["timeline"][0]["action"] == "booking.placed"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_placements_with_one_key_make_one_booking(room, traveller):
    # given one lock and eight clients sending the same Idempotency-Key at once
    api = Client()
    api.force_login(traveller)
    lock = _lock(api, room)
    clients = [signed_in(traveller) for _ in range(8)]

    def place(i):
        response = _place(clients[i], lock["lock_id"], key="same-key")
        return response.status_code, response.json().get("reference")

    results = run_concurrently(8, place)
    # then every client got the same booking, placed once, its nights taken once
    assert len(results) == 8
    assert sorted(code for code, _ in results) == [200] * 7 + [201]
    assert len({ref for _, ref in results}) == 1
    assert Booking.objects.count() == 1 and _available(room) == [4, 4]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_negative_control_without_the_key_claim_concurrent_twins_lose_to_the_lock(room, traveller):
    """Without the key claim, the twins do not find the booking: they are told the lock is used
    (410), which is what the PlacementKey row turns into the same booking (200) above."""
    api = Client()
    api.force_login(traveller)
    lock = _lock(api, room)
    clients = [signed_in(traveller) for _ in range(4)]
    codes = run_concurrently(4, lambda i: _place(clients[i], lock["lock_id"], key=f"distinct-{i}").status_code)
    assert sorted(codes) == [201, 410, 410, 410]
    assert Booking.objects.count() == 1


def test_rates_source_down_is_a_503_not_a_400(api, room, clean_sandboxes):
    from django.core.cache import cache

    from sandboxes.rates import app as rates

    cache.clear()
    rates.behaviour.down = True
    response = api.post("/api/bookings/locks/", _stay(room), content_type="application/json")
    assert response.status_code == 503 and response.json()["error"] == "rates_unavailable"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_placing_while_the_nights_stay_locked_is_a_503_to_retry_and_the_price_lock_still_works(api, room):
    # given: another writer holds one of the stay's nights longer than placing waits for it
    lock = _lock(api, room)
    night = RoomNight.objects.filter(room_type=room[0], date=timezone.localdate() + timedelta(days=10))
    with row_locked(night):
        busy = _place(api, lock["lock_id"], key="busy-1")

    # then: "try again" with a delay, nothing written, and the same lock books once the night is free
    assert busy.status_code == 503, busy.content
    assert busy.json()["error"] == "busy" and busy["Retry-After"] == "1"
    assert not Booking.objects.exists() and _available(room) == [5, 5]
    retried = _place(api, lock["lock_id"], key="busy-2")
    assert retried.status_code == 201, retried.content
    assert _available(room) == [4, 4]


def test_the_night_updates_are_the_last_writes_of_the_placing_transaction(api, room):
    # A night's row lock is held from its UPDATE to the COMMIT: every other row is written first.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lock = _lock(api, room)
    with CaptureQueriesContext(connection) as queries:
        response = _place(api, lock["lock_id"])
    assert response.status_code == 201

    statements = [q["sql"] for q in queries.captured_queries]
    night_update = max(i for i, sql in enumerate(statements) if "UPDATE inventory_roomnight" in sql)
    # (the test's own transaction wraps the request: no COMMIT and no after-commit work is captured)
    commit = next((i for i in range(night_update, len(statements)) if statements[i].upper().startswith("COMMIT")),
                  len(statements))
    writes_while_locked = [sql for sql in statements[night_update + 1:commit]
                           if sql.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "WITH")]
    assert len(writes_while_locked) == 1 and writes_while_locked[0].startswith('UPDATE "bookings_booking" SET "hold_id"')
    booking = Booking.objects.get(reference=response.json()["reference"])
    assert booking.hold.reference == booking.reference and _available(room) == [4, 4]
