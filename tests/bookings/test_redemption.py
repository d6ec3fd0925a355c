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
