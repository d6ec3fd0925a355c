"""Points at checkout: bookings calls the redemption provider that rewards registers
(bookings.redemption), inside the placement transaction. These tests use the real one."""
from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import redemption
from bookings.models import Booking
from core.models import OutboxMessage
from rewards.selectors import balance_of
from rewards.services.adjustments import balance_adjust
from tests.factories import UserFactory, guests_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="rewards-staff", is_staff=True)


def credit(user, points: int, staff) -> None:
    balance_adjust(user_id=user.pk, points=points, reason="test credit", staff_user=staff)


@pytest.fixture
def points(traveller, staff):
    """The traveller holds 5,000 points (worth USD 50.00 at 1 point = 0.01)."""
    credit(traveller, 5000, staff)


def _lock(api, room, points_):
    check_in = timezone.localdate() + timedelta(days=10)
    return api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC",
        "points": points_}, content_type="application/json")


def test_points_lower_the_amount_due_and_are_reserved_in_the_placement(api, room, points, traveller):
    lock = _lock(api, room, 3000).json()
    assert (lock["subtotal"], lock["discount"], lock["total"]) == ("230.00", "30.00", "200.00")
    placed = api.post("/api/bookings/", {"lock_id": lock["lock_id"], "guests": guests_body()}, content_type="application/json",
                      headers={"Idempotency-Key": "p1"})
    assert placed.status_code == 201 and placed.json()["total"] == "200.00"
    assert balance_of(user=traveller).available == 2000 and balance_of(user=traveller).held == 3000
    payload = OutboxMessage.objects.get(topic="booking.placed").payload
    assert payload["points_redeemed"] == 3000 and payload["total"] == "200.00"


def test_a_refused_redemption_places_nothing_and_keeps_the_lock(api, room, points, traveller, staff):
    lock = _lock(api, room, 3000).json()
    credit(traveller, -4900, staff)  # spent elsewhere since the lock
    refused = api.post("/api/bookings/", {"lock_id": lock["lock_id"], "guests": guests_body()}, content_type="application/json",
                       headers={"Idempotency-Key": "p1"})
    assert refused.status_code == 400 and "points" in refused.json()["detail"]
    assert not Booking.objects.exists() and balance_of(user=traveller).available == 100
    credit(traveller, 4900, staff)
    assert api.post("/api/bookings/", {"lock_id": lock["lock_id"], "guests": guests_body()}, content_type="application/json",
                    headers={"Idempotency-Key": "p1"}).status_code == 201


@pytest.fixture
def no_provider():
    before = redemption._providers.copy()
    redemption._providers.clear()
    yield
    redemption._providers.update(before)


def test_points_without_a_provider_are_refused_clearly(api, room, no_provider):
    response = _lock(api, room, 100)
    assert response.status_code == 400 and "Points cannot be redeemed" in response.json()["detail"]


# --- points where the traveller decides: shown at checkout, refused at the price lock ----------
def test_the_lock_refuses_more_points_than_the_balance_naming_balance_and_maximum(api, room, points, traveller,
                                                                                   settings):
    settings.BOOKINGS_MAX_LIVE_LOCKS = 1  # a refused lock must not use the traveller's only lock place
    refused = _lock(api, room, 10_000_000)
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "you have 5,000 points" in detail and "at most 5,000 can be used" in detail
    assert balance_of(user=traveller).available == 5000 and balance_of(user=traveller).held == 0
    assert _lock(api, room, 5000).status_code == 201  # nothing was stored: the one place is still free


def test_the_lock_refuses_points_above_the_cap_even_within_the_balance(api, room, traveller, staff):
    credit(traveller, 20_000, staff)  # worth 200.00, but at most 50% of 230.00 = 11,500 points
    refused = _lock(api, room, 12_000)
    assert refused.status_code == 400
    assert "at most 11,500 can be used" in refused.json()["detail"] and "50%" in refused.json()["detail"]
    accepted = _lock(api, room, 11_500).json()
    assert (accepted["discount"], accepted["total"]) == ("115.00", "115.00")


def test_the_lock_form_refuses_too_many_points_with_the_reason(api, room, points):
    check_in = timezone.localdate() + timedelta(days=10)
    page = api.post("/book/lock/", {
        "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC",
        "points": 9000})
    assert page.status_code == 400
    assert "you have 5,000 points and at most 5,000 can be used" in page.content.decode()


def test_checkout_shows_the_balance_and_the_most_points_this_stay_may_use(api, room, traveller, staff):
    credit(traveller, 20_000, staff)
    check_in = timezone.localdate() + timedelta(days=10)
    page = api.get("/book/", {"room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
                              "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2})
    html = page.content.decode()
    assert page.status_code == 200
    assert "You have 20,000 points; up to <strong>11,500</strong> can be used on this booking" in html
    assert 'max="11500"' in html
