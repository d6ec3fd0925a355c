"""The arithmetic of points: parsing, value, cap and earning. No database."""
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from rewards import config


def points_parse(amount) -> int:
    """A whole, positive number of points from what the traveller typed (int, Decimal, str)."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("Points must be a whole number.") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValidationError("Points must be a whole number.")
    if value <= 0:
        raise ValidationError("Enter a number of points above zero.")
    return int(value)


def points_cap(*, fiat_total: Decimal) -> int:
    """The most points one booking of ``fiat_total`` can use (the cap share of its total)."""
    cap_value = Decimal(fiat_total) * config.redemption_cap_percent() / Decimal(100)
    return max(0, int((cap_value / config.point_value()).to_integral_value(rounding=ROUND_FLOOR)))


def points_value(points: int) -> Decimal:
    """Fiat value of ``points``, rounded down to the cent."""
    return (Decimal(points) * config.point_value()).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def points_for(*, total: Decimal, earn_percent: Decimal) -> int:
    """Points earned on ``total`` fiat at ``earn_percent``, rounded down to whole points."""
    value = Decimal(total) * Decimal(earn_percent) / Decimal(100)
    return max(0, int((value / config.point_value()).to_integral_value(rounding=ROUND_FLOOR)))
