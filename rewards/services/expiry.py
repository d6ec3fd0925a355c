"""Points expire a configurable time after they became available, oldest first.

Spending takes the oldest points first (FIFO), so what is due to expire at ``now`` is what is
left of the credits older than the cutoff after all debits so far:

    due = max(0, credits_before_cutoff - net_debits)

credits are the entries that made points available on their own (vest, positive adjust);
net debits are holds minus releases (returned points keep their age), expiries and negative
adjusts. ``due`` never exceeds the available balance, since available = credits - net debits.
"""
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from rewards import config
from rewards.models import Account, Entry
from rewards.services.ledger import account_lock, entry_append

CREDIT = Q(kind=Entry.Kind.VEST) | Q(kind=Entry.Kind.ADJUST, available_delta__gt=0)
DEBIT = Q(kind__in=[Entry.Kind.HOLD, Entry.Kind.RELEASE, Entry.Kind.EXPIRE]) | Q(
    kind=Entry.Kind.ADJUST, available_delta__lt=0
)


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("available_delta"))["total"] or 0


def points_expiring(*, account: Account, now: datetime) -> int:
    cutoff = now - timedelta(days=config.expiry_days())
    entries = Entry.objects.filter(account=account)
    old_credits = _sum(entries.filter(CREDIT, created_at__lte=cutoff))
    net_debits = -_sum(entries.filter(DEBIT))
    return max(0, min(old_credits - net_debits, account.available))


def points_expire(*, user_id: int, now: datetime | None = None) -> int:
    """Expire what is due on one account. Idempotent: returns the points expired now."""
    now = now or timezone.now()
    with transaction.atomic():
        account = account_lock(user_id=user_id)
        due = points_expiring(account=account, now=now)
        if due <= 0:
            return 0
        expired_before = -_sum(Entry.objects.filter(account=account, kind=Entry.Kind.EXPIRE))
        entry_append(
            account=account, kind=Entry.Kind.EXPIRE,
            source_key=f"expire:{account.pk}:{expired_before + due}", available=-due,
            note=f"points older than {config.expiry_days()} days",
        )
    return due


def points_expire_all(*, now: datetime | None = None, limit: int = 1000) -> int:
    """The periodic sweep: every account holding points that may have aged out."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=config.expiry_days())
    user_ids = (
        Account.objects.filter(
            Q(entries__kind=Entry.Kind.VEST) | Q(entries__kind=Entry.Kind.ADJUST, entries__available_delta__gt=0),
            available__gt=0, entries__created_at__lte=cutoff,
        )
        .values_list("user_id", flat=True).distinct().order_by("user_id")[:limit]
    )
    return sum(points_expire(user_id=user_id, now=now) for user_id in list(user_ids))
