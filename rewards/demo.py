"""Demo rewards: the demo traveller has stays behind them, a redemption, a cancellation and a
balance. Built through the same services the booking events use, so it is a true ledger.
Idempotent: every step has a fixed source key or booking reference."""
from decimal import Decimal

from django.contrib.auth import get_user_model

from rewards.models import BookingPoints
from rewards.services import (
    balance_adjust,
    booking_confirmed_apply,
    booking_ended_apply,
    points_hold,
    stay_completed_apply,
)

PAST_STAYS = [("LT-DEMO-0001", Decimal("640.00")), ("LT-DEMO-0002", Decimal("480.00"))]


def seed() -> None:
    users = get_user_model().objects
    traveller = users.filter(username="traveller").first()
    staff = users.filter(is_superuser=True, is_staff=True).order_by("pk").first()
    if traveller is None or staff is None:
        return
    if BookingPoints.objects.filter(reference="LT-DEMO-0004").exists():
        return  # already seeded

    balance_adjust(user_id=traveller.pk, points=500, reason="Welcome to Lotus Trails rewards",
                   staff_user=staff, token="demo-welcome")
    for reference, total in PAST_STAYS:  # two completed stays: 1,120.00 spent, Silver tier
        booking_confirmed_apply(user_id=traveller.pk, reference=reference, total=total, currency="USD")
        stay_completed_apply(user_id=traveller.pk, reference=reference, total=total, currency="USD")

    # A booking paid partly with 600 points (6.00 off 150.00), confirmed: its points are pending.
    points_hold(user=traveller, booking_reference="LT-DEMO-0003", amount=600, fiat_total=Decimal("150.00"),
                currency="USD")
    booking_confirmed_apply(user_id=traveller.pk, reference="LT-DEMO-0003", total="144.00", currency="USD")

    # A booking confirmed then cancelled: what it earned is reversed.
    booking_confirmed_apply(user_id=traveller.pk, reference="LT-DEMO-0004", total="220.00", currency="USD")
    booking_ended_apply(user_id=traveller.pk, reference="LT-DEMO-0004", reason="cancelled")
