"""The loyalty ledger: an account per traveller and its append-only entries.

Every change to a balance is an ``Entry`` with deltas on three buckets (available, pending,
held) and a unique ``source_key``; a balance is the sum of its entries. The account keeps a
cached copy of the three sums, updated in the same transaction as the entry (under the account's
row lock) and checked against the entries by ``manage.py rewards_check``. See docs/rewards.md.
"""
from django.conf import settings
from django.db import models

from core.models import AppendOnlyModel, AppendOnlyQuerySet


class Account(models.Model):
    """One traveller's points. The balance columns are a cache of the sum of the entries."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rewards_account")
    available = models.BigIntegerField(default=0)
    pending = models.BigIntegerField(default=0)
    held = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(available__gte=0), name="rewards_account_available_gte_0"),
            models.CheckConstraint(condition=models.Q(pending__gte=0), name="rewards_account_pending_gte_0"),
            models.CheckConstraint(condition=models.Q(held__gte=0), name="rewards_account_held_gte_0"),
        ]

    def __str__(self):
        return f"Rewards account of {self.user}"


class Entry(AppendOnlyModel):
    """One movement of points. Never updated, never deleted."""

    append_only_hint = "add a new or reversing entry instead"

    class Kind(models.TextChoices):
        EARN = "earn", "Earned (pending until the stay is completed)"
        VEST = "vest", "Stay completed: points available"
        REVERSE = "reverse", "Earned points reversed (booking cancelled)"
        FORFEIT = "forfeit", "Earned points forfeited (no-show)"
        HOLD = "hold", "Reserved for a booking"
        REDEEM = "redeem", "Redeemed on a confirmed booking"
        RELEASE = "release", "Returned (booking not completed)"
        EXPIRE = "expire", "Expired"
        ADJUST = "adjust", "Adjusted by staff"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_key = models.CharField(
        max_length=200, unique=True,
        help_text="What caused it, e.g. booking:<reference>:earn. The same cause never applies twice.",
    )
    available_delta = models.BigIntegerField(default=0)
    pending_delta = models.BigIntegerField(default=0)
    held_delta = models.BigIntegerField(default=0)
    booking_reference = models.CharField(max_length=64, blank=True, db_index=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(available_delta=0, pending_delta=0, held_delta=0),
                name="rewards_entry_moves_points",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="adjust") | ~models.Q(note=""), name="rewards_adjust_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.points:+d} ({self.source_key})"

    @property
    def points(self) -> int:
        """The change the traveller sees first: available, else pending, else held."""
        return self.available_delta or self.pending_delta or self.held_delta


class BookingPoints(models.Model):
    """What rewards knows about one booking, built only from its events (never booking tables).

    It makes every booking event idempotent and order-independent: each handler locks the
    account, then this row, and looks at what already happened before adding entries.
    """

    class HoldState(models.TextChoices):
        NONE = "none", "No points used"
        HELD = "held", "Reserved"
        REDEEMED = "redeemed", "Redeemed"
        RELEASED = "released", "Returned"

    class EarnState(models.TextChoices):
        NONE = "none", "Nothing earned yet"
        PENDING = "pending", "Pending"
        AVAILABLE = "available", "Available"
        REVERSED = "reversed", "Reversed"
        FORFEITED = "forfeited", "Forfeited (no-show)"

    reference = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="bookings")
    hold_state = models.CharField(max_length=10, choices=HoldState.choices, default=HoldState.NONE)
    points_held = models.BigIntegerField(default=0, help_text="Points reserved at checkout.")
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    earn_state = models.CharField(max_length=10, choices=EarnState.choices, default=EarnState.NONE)
    points_earned = models.BigIntegerField(default=0)
    earn_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                help_text="Fiat paid, after the points discount.")
    currency = models.CharField(max_length=3, blank=True)
    check_out = models.DateField(null=True, blank=True)
    placed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Cancelled, expired, failed or no-show.")
    ended_reason = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name_plural = "booking points"

    def __str__(self):
        return self.reference
