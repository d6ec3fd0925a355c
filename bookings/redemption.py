"""Checkout redemptions: how a higher app (rewards) pays for part of a booking without the
booking code importing it.

A provider registers itself in its AppConfig.ready():

    from bookings.redemption import register_redemption_provider
    register_redemption_provider(PointsRedemption())

and ``booking_place`` calls ``reserve`` inside its transaction. Consumption and return of
what was reserved follow the booking's outbox events (booking.confirmed consumes;
booking.expired / booking.failed / booking.cancelled return).
"""
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Allowance:
    """What a traveller may use on one booking: shown at checkout, enforced at the price lock."""

    balance: Decimal  # units the traveller has available now
    maximum: Decimal  # the most units this booking may use: min(balance, cap)
    cap_percent: Decimal  # the share of the total that may be paid this way
    unit: str  # how the units are named to the traveller, e.g. "points"
    unit_value: Decimal = Decimal("0")  # the discount one unit gives, in the booking's currency (0: unknown)


class RedemptionProvider(Protocol):
    code: str  # e.g. "points"

    def allowance(self, *, user, fiat_total: Decimal, currency: str) -> Allowance:
        """The traveller's balance and the most units usable on ``fiat_total``; no write."""

    def quote_discount(self, *, user, amount: Decimal, fiat_total: Decimal, currency: str) -> Decimal:
        """The fiat discount ``amount`` units would give on ``fiat_total`` (capped); no write."""

    def reserve(self, *, user, booking_reference: str, amount: Decimal, fiat_total: Decimal, currency: str) -> Decimal:
        """Reserve ``amount`` units for the booking inside the caller's transaction and return the
        fiat discount it gives. Raise django.core.exceptions.ValidationError with a message for
        the traveller if it cannot (not enough balance, above the cap)."""


_providers: dict[str, RedemptionProvider] = {}


def register_redemption_provider(provider: RedemptionProvider) -> None:
    _providers[provider.code] = provider


def redemption_provider(code: str) -> RedemptionProvider | None:
    return _providers.get(code)
