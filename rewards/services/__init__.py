"""The only writers of the ledger: one function per use case, each in one transaction."""
from rewards.services.adjustments import balance_adjust
from rewards.services.bookings import (
    booking_confirmed_apply,
    booking_ended_apply,
    booking_no_show_apply,
    booking_placed_apply,
    stay_completed_apply,
)
from rewards.services.expiry import points_expire, points_expire_all
from rewards.services.ledger import NotEnoughPoints, account_lock, entry_append
from rewards.services.redemption import points_hold

__all__ = [
    "NotEnoughPoints", "account_lock", "balance_adjust", "booking_confirmed_apply", "booking_ended_apply",
    "booking_no_show_apply", "booking_placed_apply", "entry_append", "points_expire",
    "points_expire_all", "points_hold", "stay_completed_apply",
]
