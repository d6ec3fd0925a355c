"""Reads of the ledger: balances, history, tier and progress, and the ledger check."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from rewards import config
from rewards.config import Tier
from rewards.models import Account, BookingPoints, Entry


@dataclass(frozen=True)
class Balance:
    available: int = 0
    pending: int = 0
    held: int = 0


@dataclass(frozen=True)
class TierProgress:
    tier: Tier
    next_tier: Tier | None
    spend: Decimal  # completed spend in the trailing window
    to_next: Decimal  # spend still needed for the next tier (0 at the top)
    percent: int  # 0..100 of the way from this tier to the next


@dataclass(frozen=True)
class Mismatch:
    account_id: int
    cached: Balance
    from_entries: Balance


def account_of(*, user) -> Account | None:
    if not user or not user.is_authenticated:
        return None
    return Account.objects.filter(user=user).first()


def balance_of(*, user) -> Balance:
    """The cached balance (kept in step with the entries in the same transaction)."""
    account = account_of(user=user)
    if account is None:
        return Balance()
    return Balance(available=account.available, pending=account.pending, held=account.held)


def balance_from_entries(*, account: Account) -> Balance:
    sums = Entry.objects.filter(account=account).aggregate(
        available=Sum("available_delta"), pending=Sum("pending_delta"), held=Sum("held_delta")
    )
    return Balance(**{k: v or 0 for k, v in sums.items()})


def entries_of(*, user) -> QuerySet[Entry]:
    return Entry.objects.filter(account__user=user).order_by("-created_at", "-id")


def completed_spend(*, account: Account | None, now: datetime | None = None) -> Decimal:
    """Fiat paid for stays completed in the trailing tier window (12 months by default)."""
    if account is None:
        return Decimal(0)
    since = (now or timezone.now()) - timedelta(days=config.tier_window_days())
    total = BookingPoints.objects.filter(
        account=account, completed_at__gte=since, ended_at__isnull=True
    ).aggregate(total=Sum("total"))["total"]
    return total or Decimal(0)


def tier_for_spend(spend: Decimal) -> Tier:
    reached = [t for t in config.tiers() if spend >= t.min_spend]
    return reached[-1] if reached else config.tiers()[0]


def tier_progress(*, user, now: datetime | None = None) -> TierProgress:
    spend = completed_spend(account=account_of(user=user), now=now)
    tiers = config.tiers()
    tier = tier_for_spend(spend)
    higher = [t for t in tiers if t.min_spend > tier.min_spend]
    next_tier = higher[0] if higher else None
    if next_tier is None:
        return TierProgress(tier=tier, next_tier=None, spend=spend, to_next=Decimal(0), percent=100)
    span = next_tier.min_spend - tier.min_spend
    percent = int((spend - tier.min_spend) * 100 / span) if span else 100
    return TierProgress(
        tier=tier, next_tier=next_tier, spend=spend, to_next=next_tier.min_spend - spend,
        percent=max(0, min(100, percent)),
    )


def ledger_mismatches() -> list[Mismatch]:
    """Accounts whose cached balance differs from the sum of their entries (should be none)."""
    derived = {
        row["account"]: Balance(available=row["a"] or 0, pending=row["p"] or 0, held=row["h"] or 0)
        for row in Entry.objects.values("account").annotate(
            a=Sum("available_delta"), p=Sum("pending_delta"), h=Sum("held_delta")
        ).order_by()
    }
    mismatches = []
    for account in Account.objects.order_by("pk").iterator():
        cached = Balance(available=account.available, pending=account.pending, held=account.held)
        from_entries = derived.get(account.pk, Balance())
        if cached != from_entries:
            mismatches.append(Mismatch(account_id=account.pk, cached=cached, from_entries=from_entries))
    return mismatches
