"""Money in the booking currency: amounts are Decimals rounded half-up to the cent."""
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount) -> Decimal:
    """``amount`` (a Decimal, int or numeric string) rounded half-up to the cent."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
