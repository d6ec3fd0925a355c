"""The programme's knobs, read from settings (REWARDS_*), with the defaults in one place."""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    min_spend: Decimal  # trailing 12-month completed spend that reaches the tier
    earn_percent: Decimal  # share of the fiat paid returned as points value


DEFAULT_TIERS = [
    {"code": "explorer", "name": "Explorer", "min_spend": "0", "earn_percent": "1"},
    {"code": "silver", "name": "Silver", "min_spend": "1000", "earn_percent": "3"},
    {"code": "gold", "name": "Gold", "min_spend": "5000", "earn_percent": "5"},
    {"code": "platinum", "name": "Platinum", "min_spend": "15000", "earn_percent": "10"},
]


def tiers() -> list[Tier]:
    raw = getattr(settings, "REWARDS_TIERS", DEFAULT_TIERS)
    result = [
        Tier(code=t["code"], name=t["name"], min_spend=Decimal(str(t["min_spend"])),
             earn_percent=Decimal(str(t["earn_percent"])))
        for t in raw
    ]
    return sorted(result, key=lambda t: t.min_spend)


def point_value() -> Decimal:
    """Fiat value of one point in the booking's currency unit (0.01: 100 points = 1.00)."""
    return Decimal(str(getattr(settings, "REWARDS_POINT_VALUE", "0.01")))


def redemption_cap_percent() -> Decimal:
    """At most this share of a booking's total can be paid with points."""
    return Decimal(str(getattr(settings, "REWARDS_REDEMPTION_CAP_PERCENT", "50")))


def expiry_days() -> int:
    """Available points expire this many days after they became available, oldest first."""
    return int(getattr(settings, "REWARDS_EXPIRY_DAYS", 365))


def tier_window_days() -> int:
    return int(getattr(settings, "REWARDS_TIER_WINDOW_DAYS", 365))
