"""Checkout redemptions: how a higher app (rewards) pays for part of a booking without the
booking code importing it.

A provider registers itself in its AppConfig.ready():

    from bookings.redemption import register_redemption_provider
    register_redemption_provider(PointsRedemption())

and ``booking_place`` calls ``reserve`` inside its transaction. Consumption and return of
what was reserved follow the booking's outbox events (booking.confirmed consumes;
booking.expired / booking.failed / booking.cancelled return).
"""
from decimal import Decimal
from typing import Protocol


class RedemptionProvider(Protocol):
    code: str  # e.g. "points"

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
