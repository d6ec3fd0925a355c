"""Reservations from the channels: every message as received, each reservation with its
revisions (the deduplication key is channel × reservation id × revision), and an append-only
event log per reservation that settles disputes ("the cancellation never came")."""
from django.conf import settings
from django.db import models

from catalogue.models import Property, RoomType
from channels.models.channels import Channel
from channels.models.listings import Listing
from core.models import AppendOnlyModel, AppendOnlyQuerySet
from inventory.models import Hold, RatePlan


class InboundMessage(AppendOnlyModel):
    """A verified message from a channel, stored raw before anything acts on it."""

    append_only_hint = "messages are kept as received"

    class Via(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        FETCH = "fetch", "Fetched after a webhook"
        PULL = "pull", "Pulled (polling or safety net)"

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    via = models.CharField(max_length=10, choices=Via.choices)
    hotel_code = models.CharField(max_length=60, blank=True)
    reservation_id = models.CharField(max_length=80, blank=True)
    revision = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField()
    reservation = models.JSONField(null=True, blank=True,
                                   help_text="The reservation it carries, in our terms (webhooks that carry one).")
    headers = models.JSONField(default=dict, blank=True, help_text="The signature and timestamp headers.")
    received_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["channel", "reservation_id"], name="inbound_by_reservation")]

    def __str__(self):
        return f"{self.channel_id} {self.via} {self.reservation_id} r{self.revision}"


class ChannelBooking(models.Model):
    """One reservation of one channel, as it stands after the latest revision we applied."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PARKED = "parked", "Parked: unmapped room or rate"
        HELD = "held", "Rooms held"
        REFUSED = "refused", "Refused"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="bookings")
    reservation_id = models.CharField(max_length=80)
    confirmation = models.CharField(max_length=20, unique=True, help_text="Our number, given to the channel.")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="bookings")
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="channel_bookings")
    room_type = models.ForeignKey(RoomType, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="channel_bookings")
    rate_plan = models.ForeignKey(RatePlan, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="channel_bookings")
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.PROTECT, related_name="channel_bookings")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    revision = models.PositiveIntegerField(default=0, help_text="The channel's revision we applied last.")
    check_in = models.DateField()
    check_out = models.DateField()
    rooms = models.PositiveSmallIntegerField(default=1)
    guests = models.PositiveSmallIntegerField(default=2)
    guest_name = models.CharField(max_length=160, blank=True)
    guest_email = models.CharField(max_length=200, blank=True)
    guest_phone = models.CharField(max_length=40, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "reservation_id"], name="channelbooking_once_per_channel"),
        ]

    def __str__(self):
        return f"{self.confirmation} · {self.channel.name} {self.reservation_id}"


class ChannelRevision(models.Model):
    """One revision of a reservation: what the channel asked, what we decided, what we answered."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for an earlier revision"
        PARKED = "parked", "Parked: unmapped"
        SUBMITTED = "submitted", "With inventory"
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused"
        SUPERSEDED = "superseded", "Superseded by a later revision"

    class Answer(models.TextChoices):
        NONE = "", "Not yet"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        REFUSED = "refused", "Refusal sent"
        FAILED = "failed", "Channel did not take our answer"

    booking = models.ForeignKey(ChannelBooking, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, help_text="new, modified or cancelled, as the channel says.")
    data = models.JSONField(help_text="The revision in our terms (the adapter's Reservation).")
    message = models.ForeignKey(InboundMessage, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="revisions")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    reason = models.CharField(max_length=200, blank=True)
    request_reference = models.CharField(max_length=64, blank=True, db_index=True,
                                         help_text="The inventory intake request deciding it.")
    answer = models.CharField(max_length=14, choices=Answer.choices, blank=True, default=Answer.NONE)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["booking", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "revision"], name="channelrevision_once"),
        ]

    def __str__(self):
        return f"revision {self.revision}: {self.get_state_display()}"


class ChannelBookingEvent(AppendOnlyModel):
    """One line of a channel reservation's history. Append-only."""

    append_only_hint = "record what happened next as a new event"

    booking = models.ForeignKey(ChannelBooking, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=60, help_text="Dotted name, e.g. channel_booking.acknowledged.")
    revision = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.action
