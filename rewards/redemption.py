"""The "points" checkout redemption provider (protocol in bookings/redemption.py)."""
from decimal import Decimal

from bookings.redemption import Allowance
from rewards import config
from rewards.points import points_cap, points_parse, points_value
from rewards.selectors import balance_of
from rewards.services import points_hold


class PointsRedemption:
    code = "points"

    def allowance(self, *, user, fiat_total: Decimal, currency: str) -> Allowance:
        """The available points and the most of them a booking of ``fiat_total`` may use."""
        available = balance_of(user=user).available
        cap = points_cap(fiat_total=Decimal(fiat_total))
        return Allowance(balance=Decimal(available), maximum=Decimal(min(available, cap)),
                         cap_percent=config.redemption_cap_percent(), unit="points",
                         unit_value=config.point_value())

    def quote_discount(self, *, user, amount, fiat_total: Decimal, currency: str) -> Decimal:
        """The discount ``amount`` points would give on ``fiat_total``, capped; writes nothing."""
        if amount in (None, "") or str(amount).strip() in ("0", "0.00"):
            return Decimal("0.00")
        points = points_parse(amount)
        return points_value(min(points, points_cap(fiat_total=Decimal(fiat_total))))

    def reserve(self, *, user, booking_reference: str, amount, fiat_total: Decimal, currency: str) -> Decimal:
        return points_hold(
            user=user, booking_reference=booking_reference, amount=amount, fiat_total=fiat_total,
            currency=currency,
        )
