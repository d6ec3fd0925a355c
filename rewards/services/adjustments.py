"""Staff corrections: an entry with a reason, never an edit of the ledger."""
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

from rewards.models import Entry
from rewards.services.ledger import account_lock, entry_append


@transaction.atomic
def balance_adjust(*, user_id: int, points: int, reason: str, staff_user, token: str = "") -> Entry:
    """Add (or, negative, remove) available points with a reason. ``token`` makes a resubmitted
    form apply once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A reason is required for an adjustment.")
    if not staff_user or not staff_user.is_staff:
        raise ValidationError("Only staff can adjust a balance.")
    if not isinstance(points, int) or points == 0:
        raise ValidationError("Adjust by a whole number of points other than zero.")
    account = account_lock(user_id=user_id)
    if account.available + points < 0:
        raise ValidationError(f"The traveller has only {account.available:,} points available.")
    source_key = f"adjust:{token or uuid.uuid4()}"
    entry = entry_append(
        account=account, kind=Entry.Kind.ADJUST, source_key=source_key, available=points, note=reason,
        created_by=staff_user,
    )
    return entry or Entry.objects.get(source_key=source_key)
