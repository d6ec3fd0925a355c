"""Points at checkout through the redemption provider interface (bookings.redemption), which the
rewards app implements. A small provider here keeps a balance in memory and follows the contract."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import redemption
from bookings.models import Booking
from travel.models import OutboxMessage

pytestmark = pytest.mark.django_db


class CentPerPoint:
    """1 point = 0.01 of the currency, at most half the total."""

    code = "points"

    def __init__(self, balance: int):
        self.balance = balance
        self.reserved: dict[str, int] = {}

    def quote_discount(self, *, user, amount, fiat_total, currency):
        return min(Decimal(amount) / 100, fiat_total / 2)

    def reserve(self, *, user, booking_reference, amount, fiat_total, currency):
        if amount > self.balance:
            raise ValidationError("You do not have that many points.")
        self.balance -= int(amount)
        self.reserved[booking_reference] = int(amount)
        return self.quote_discount(user=user, amount=amount, fiat_total=fiat_total, currency=currency)


@pytest.fixture
def points():
    provider = CentPerPoint(balance=5000)
    before = redemption._providers.copy()
    redemption.register_redemption_provider(provider)
    yield provider
    redemption._providers.clear()
    redemption._providers.update(before)


def _lock(api, room, points_):
    check_in = timezone.localdate() + timedelta(days=10)
    return api.post("/api/bookings/locks/", {
        "kind": "stay", "room_type": room[0].pk, "rate_plan": room[1].pk, "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(), "rooms": 1, "guests": 2, "coin": "BTC",
        "points": points_}, content_type="application/json")


def test_points_lower_the_amount_due_and_are_reserved_in_the_placement(api, room, points, traveller):
    lock = _lock(api, room, 3000).json()
    assert (lock["subtotal"], lock["discount"], lock["total"]) == ("230.00", "30.00", "200.00")
    placed = api.post("/api/bookings/", {"lock_id": lock["lock_id"]}, content_type="application/json",
                      headers={"Idempotency-Key": "p1"})
    assert placed.status_code == 201 and placed.json()["total"] == "200.00"
    booking = Booking.objects.get()
    assert points.reserved == {booking.reference: 3000} and points.balance == 2000
    payload = OutboxMessage.objects.get(topic="booking.placed").payload
    assert payload["points_redeemed"] == 3000 and payload["total"] == "200.00"


def test_a_refused_redemption_places_nothing_and_keeps_the_lock(api, room, points):
    lock = _lock(api, room, 3000).json()
    points.balance = 100  # spent elsewhere since the lock
    refused = api.post("/api/bookings/", {"lock_id": lock["lock_id"]}, content_type="application/json",
                       headers={"Idempotency-Key": "p1"})
    assert refused.status_code == 400 and "points" in refused.json()["message"]
    assert not Booking.objects.exists()
    points.balance = 5000
    assert api.post("/api/bookings/", {"lock_id": lock["lock_id"]}, content_type="application/json",
                    headers={"Idempotency-Key": "p1"}).status_code == 201


def test_points_without_a_provider_are_refused_clearly(api, room):
    response = _lock(api, room, 100)
    assert response.status_code == 400 and "Points cannot be redeemed" in response.json()["message"]
