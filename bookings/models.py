"""Bookings: the booking aggregate, its append-only event log, supplier holds and the staff
review queue.

Only ``bookings.services`` writes these rows. ``Booking.status`` moves along the state machine
in ``bookings.states``; every move appends a ``BookingEvent`` in the same transaction.
"""
import builtins

from django.conf import settings
from django.db import models

from catalogue.models import Property, RoomType
from core.models import AppendOnlyModel, AppendOnlyQuerySet


class Booking(models.Model):
    class Kind(models.TextChoices):
        STAY = "stay", "Hotel stay (own inventory)"
        HOTEL = "hotel", "Hotel (supplier)"
        FLIGHT = "flight", "Flight"
        ACTIVITY = "activity", "Activity"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAYMENT_CONFIRMED = "payment_confirmed", "Payment confirmed"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        EXPIRED = "expired", "Expired"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    reference = models.CharField(max_length=16, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(max_length=200, help_text="What was booked, in words.")

    # Own inventory
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    room_type = models.ForeignKey(RoomType, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    rate_plan = models.ForeignKey(
        "inventory.RatePlan", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    hold = models.OneToOneField(
        "inventory.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="booking"
    )
    check_in = models.DateField(null=True, blank=True)
    check_out = models.DateField(null=True, blank=True)
    rooms = models.PositiveSmallIntegerField(default=1)
    guests = models.PositiveSmallIntegerField(default=1)
    refundable = models.BooleanField(default=False)
    free_cancellation_days = models.PositiveSmallIntegerField(default=0)

    # Money: fiat first; the crypto side is the invoice's (payments), copied for display.
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, help_text="Price before any redemption.")
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text="Fiat due after the discount.")
    currency = models.CharField(max_length=3)
    coin_code = models.CharField(max_length=16)
    coin_rate = models.DecimalField(max_digits=30, decimal_places=12)
    crypto_amount = models.DecimalField(max_digits=36, decimal_places=18)
    redemption_code = models.CharField(max_length=20, blank=True)
    points_redeemed = models.PositiveIntegerField(default=0)

    # Who is travelling (bookings.guests): the lead guest is the contact; the other guests'
    # names are BookingGuest rows. Empty on bookings placed before guests were collected.
    lead_name = models.CharField(max_length=150, blank=True)
    lead_email = models.EmailField(max_length=254, blank=True)
    lead_phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +442079460958.")
    lead_date_of_birth = models.DateField(null=True, blank=True, help_text="Flights: every passenger's.")
    lead_document_number = models.CharField(max_length=30, blank=True, help_text="Flights, when the supplier asks.")
    arrival_time = models.TimeField(null=True, blank=True, help_text="Expected arrival, hotel's local time.")
    special_requests = models.TextField(blank=True, max_length=1000)

    idempotency_key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    payment_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "payment_expires_at"]), models.Index(fields=["status", "check_out"]),
                   # The caps (bookings/limits.py) count a traveller's pending bookings on every price lock and
                   # placement: only those rows, whatever the traveller's history or the site's pending total.
                   models.Index(fields=["user"], condition=models.Q(status="pending"), name="booking_pending_by_user")]
        permissions = [("mark_no_show", "Can mark a booking as a no-show")]

    def __str__(self):
        return f"{self.reference} {self.title} ({self.status})"

    @builtins.property
    def is_supplier(self) -> bool:
        return self.kind != self.Kind.STAY


class BookingGuest(models.Model):
    """A guest travelling with the lead guest (position 1, 2, ...; the lead is on the booking)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="other_guests")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True, help_text="Flights: every passenger's.")
    document_number = models.CharField(max_length=30, blank=True, help_text="Flights, when the supplier asks.")

    class Meta:
        ordering = ["booking", "position"]
        constraints = [models.UniqueConstraint(fields=["booking", "position"], name="bookingguest_one_per_position"),
                       models.CheckConstraint(condition=~models.Q(name=""), name="bookingguest_name_not_empty")]

    def __str__(self):
        return self.name


class SentEmail(models.Model):
    """One email of one kind sent for a booking, once per occasion: the unique triple is what
    makes sending once. ``occasion`` tells apart emails of one kind that are different events
    (each partial payment: the amount received so far); empty for the once-only kinds."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="sent_emails")
    kind = models.CharField(max_length=30)
    occasion = models.CharField(max_length=80, blank=True, default="",
                                help_text="What makes it a different event, e.g. the amount received so far.")
    recipients = models.CharField(max_length=600)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["booking", "kind", "occasion"],
                                               name="sentemail_once_per_kind_and_occasion")]

    def __str__(self):
        return f"{self.booking_id} {self.kind}"


class PlacementKey(models.Model):
    """An ``Idempotency-Key`` a traveller used to place a booking, claimed first in the placement
    transaction: a concurrent twin waits on this unique row and then finds the booking (which
    carries the same key and the request's fingerprint)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the request body.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="placementkey_unique_per_user")]


class BookingEvent(AppendOnlyModel):
    """One line of a booking's history. Append-only: never updated, never deleted."""

    append_only_hint = "record what happened next as a new event"

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=60, help_text="Dotted name, e.g. booking.payment.settled.")
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True, help_text="Empty when the status did not change.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=60, help_text="traveller, staff, system, payments, supplier")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.booking_id} {self.action}"


class SupplierHold(models.Model):
    """A supplier offer held for a booking until the supplier confirms it (after payment)."""

    class Status(models.TextChoices):
        HELD = "held", "Held (not sent yet)"
        PENDING = "pending", "Sent, supplier pending"
        CONFIRMED = "confirmed", "Confirmed by the supplier"
        REFUSED = "refused", "Refused by the supplier"
        RELEASED = "released", "Released"
        CANCELLING = "cancelling", "Cancellation pending at the supplier"
        CANCELLED = "cancelled", "Cancelled by the supplier"

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="supplier_hold")
    kind = models.CharField(max_length=10)
    offer_id = models.CharField(max_length=120)
    supplier = models.CharField(max_length=60)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    supplier_ref = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.supplier} {self.offer_id} ({self.status})"


class ReviewItem(models.Model):
    """Something staff must look at: a dead letter, a late or partial payment, a supplier refusal."""

    class Reason(models.TextChoices):
        DEAD_LETTER = "dead_letter", "Background job gave up"
        SUPPLIER_UNAVAILABLE = "supplier_unavailable", "Supplier unreachable after retries"
        SUPPLIER_REFUSED = "supplier_refused", "Supplier refused"
        LATE_PAYMENT = "late_payment", "Late payment"
        PARTIAL_PAYMENT = "partial_payment", "Partial payment expired"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="review_items")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    detail = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True, help_text="What staff did and why.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "reason"], condition=models.Q(status="open"), name="review_one_open_per_reason"
            ),
        ]

    def __str__(self):
        return f"{self.booking.reference}: {self.get_reason_display()}"

    @property
    def property(self):
        return self.booking.property
