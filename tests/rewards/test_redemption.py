"""The "points" provider that bookings calls at checkout (bookings/redemption.py protocol)."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bookings.redemption import redemption_provider
from rewards.models import BookingPoints, Entry
from rewards.selectors import balance_of
from tests.rewards.conftest import give_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    found = redemption_provider("points")
    assert found is not None, "rewards did not register its provider"
    return found


def test_quote_gives_the_value_of_the_points_capped_at_half_the_total(provider, traveller):
    assert provider.quote_discount(user=traveller, amount=Decimal(1500), fiat_total=Decimal("100.00"),
                                   currency="USD") == Decimal("15.00")
    assert provider.quote_discount(user=traveller, amount=Decimal(9000), fiat_total=Decimal("100.00"),
                                   currency="USD") == Decimal("50.00")
    assert provider.quote_discount(user=traveller, amount=0, fiat_total=Decimal("100.00"), currency="USD") \
        == Decimal("0.00")
    assert not Entry.objects.exists()


def test_cap_and_point_value_are_configurable(provider, traveller, settings):
    settings.REWARDS_REDEMPTION_CAP_PERCENT = "20"
    settings.REWARDS_POINT_VALUE = "0.02"
    assert provider.quote_discount(user=traveller, amount=5000, fiat_total=Decimal("100"), currency="EUR") \
        == Decimal("20.00")


def test_reserve_holds_the_points_and_returns_the_discount(provider, traveller, staff):
    give_points(traveller, 2000, staff)

    discount = provider.reserve(user=traveller, booking_reference="LT-R1", amount=Decimal(1200),
                                fiat_total=Decimal("80.00"), currency="USD")

    assert discount == Decimal("12.00")
    balance = balance_of(user=traveller)
    assert (balance.available, balance.held) == (800, 1200)


@pytest.mark.parametrize("amount, total, message", [
    (Decimal(2001), Decimal("100.00"), "You have 2,000 points available"),
    (Decimal(1500), Decimal("20.00"), "At most 1,000 points can be used on this booking (50% of its total)"),
    (Decimal("10.5"), Decimal("100.00"), "whole number"),
    (Decimal(-3), Decimal("100.00"), "above zero"),
    ("lots", Decimal("100.00"), "whole number"),
])
def test_reserve_refuses_with_a_message_for_the_traveller(provider, traveller, staff, amount, total, message):
    give_points(traveller, 2000, staff)

    with pytest.raises(ValidationError) as refused:
        provider.reserve(user=traveller, booking_reference="LT-R2", amount=amount, fiat_total=total, currency="USD")

    assert message in " ".join(refused.value.messages)
    assert balance_of(user=traveller).available == 2000
    assert not Entry.objects.filter(booking_reference="LT-R2").exists()


def test_a_placement_that_rolls_back_reserves_nothing(provider, traveller, staff):
    give_points(traveller, 500, staff)

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            provider.reserve(user=traveller, booking_reference="LT-R3", amount=500, fiat_total=Decimal("50"),
                             currency="USD")
            raise RuntimeError("inventory sold out after the points were reserved")

    assert balance_of(user=traveller).available == 500
    assert not BookingPoints.objects.filter(reference="LT-R3").exists()


def test_the_same_reservation_twice_holds_once_and_a_different_one_is_refused(provider, traveller, staff):
    give_points(traveller, 1000, staff)
    kwargs = dict(user=traveller, booking_reference="LT-R4", fiat_total=Decimal("100"), currency="USD")

    assert provider.reserve(amount=400, **kwargs) == Decimal("4.00")
    assert provider.reserve(amount=400, **kwargs) == Decimal("4.00")
    with pytest.raises(ValidationError, match="already used"):
        provider.reserve(amount=300, **kwargs)

    assert balance_of(user=traveller).held == 400
