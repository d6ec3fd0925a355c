"""The one place that appends ledger entries and keeps the account's cached balance in step."""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rewards.models import Account, Entry


class NotEnoughPoints(ValidationError):
    """The entry would take a bucket of the balance below zero."""


def account_lock(*, user_id: int) -> Account:
    """The traveller's account, created if missing, locked for the rest of the transaction.

    Every writer locks the account first, so all changes to one traveller's points are
    serialised and a balance read under the lock is the balance the new entry applies to.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("account_lock() must run inside a transaction")
    account = Account.objects.select_for_update().filter(user_id=user_id).first()
    if account is not None:
        return account
    if not get_user_model().objects.filter(pk=user_id).exists():
        raise ValidationError(f"Unknown traveller {user_id}.")
    Account.objects.get_or_create(user_id=user_id)  # a concurrent first use may have won: fine
    return Account.objects.select_for_update().get(user_id=user_id)


def entry_append(
    *, account: Account, kind: str, source_key: str, available: int = 0, pending: int = 0, held: int = 0,
    booking_reference: str = "", note: str = "", created_by=None,
) -> Entry | None:
    """Append one entry to a locked account. Returns None if ``source_key`` was already applied.

    Refuses (NotEnoughPoints) an entry that would take any bucket below zero; the database's
    CHECK constraints on the account would refuse it too.
    """
    if not (available or pending or held):
        return None
    if Entry.objects.filter(source_key=source_key).exists():
        return None
    after = {
        "available": account.available + available,
        "pending": account.pending + pending,
        "held": account.held + held,
    }
    for bucket, value in after.items():
        if value < 0:
            raise NotEnoughPoints(
                f"Not enough points: {getattr(account, bucket)} {bucket}, {-(value - getattr(account, bucket))} needed."
            )
    entry = Entry.objects.create(
        account=account, kind=kind, source_key=source_key, available_delta=available, pending_delta=pending,
        held_delta=held, booking_reference=booking_reference, note=note[:500], created_by=created_by,
        created_at=timezone.now(),
    )
    Account.objects.filter(pk=account.pk).update(
        available=F("available") + available, pending=F("pending") + pending, held=F("held") + held
    )
    account.available, account.pending, account.held = after["available"], after["pending"], after["held"]
    return entry
