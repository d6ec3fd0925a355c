"""Availability going out: what changed and waits to be pushed, each push as a step of a sync
saga, the ranges a channel may show wrong (dirty marks), and the reconciliation reports."""
from django.db import models

from catalogue.models import RoomType
from channels.models.listings import Listing


class PendingChange(models.Model):
    """A room type's night that changed and is not yet pushed to this listing (coalesced: one row
    per listing × room type × date however many changes come in)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="pending_changes")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    prices = models.BooleanField(default=False, help_text="A rate changed too (else availability and restrictions).")
    created_at = models.DateTimeField(auto_now_add=True, help_text="The first change not yet pushed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "room_type", "date"], name="pendingchange_once"),
        ]


class PushStep(models.Model):
    """One push to one channel: a step of the listing's sync saga."""

    class Kind(models.TextChoices):
        CHANGE = "change", "Change"
        RETRY = "retry", "Retry of refused items"
        RECONCILE = "reconcile", "Reconciliation repair"
        RESYNC = "resync", "Full resync"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        PARTIAL = "partial", "Partly refused"
        RETRYING = "retrying", "Failed, retrying"
        GAVE_UP = "gave_up", "Gave up: dirty"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="push_steps")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    dates = models.JSONField(help_text="{room_type_id: [iso dates]} this step pushes.")
    prices = models.BooleanField(default=False, help_text="Rates are sent too (not only availability).")
    attempts = models.PositiveSmallIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    updates = models.PositiveIntegerField(default=0, help_text="Date ranges sent.")
    refused = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(help_text="When the oldest change it carries was made.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True, help_text="From the change to the channel's yes.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listing", "finished_at"], name="pushstep_by_listing_finished")]

    def __str__(self):
        return f"{self.get_kind_display()} push #{self.pk}: {self.get_status_display()}"


class DirtyMark(models.Model):
    """Dates of a room type this channel may show wrong: a push gave up. Cleared by a later
    successful push of them (or a reconciliation)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="dirty_marks")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="+")
    start = models.DateField()
    end = models.DateField(help_text="Inclusive.")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.room_type} {self.start}–{self.end}"


class ReconciliationReport(models.Model):
    """One reconciliation of one listing: what drifted where, what was repaired, what still fails."""

    class Outcome(models.TextChoices):
        IN_SYNC = "in_sync", "In sync"
        REPAIRED = "repaired", "Drift repaired"
        FAILING = "failing", "Still failing"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reconciliations")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.IN_SYNC)
    dates_checked = models.PositiveIntegerField(default=0)
    drifted = models.PositiveIntegerField(default=0, help_text="Differences found (room × rate × date × field).")
    drift = models.JSONField(default=list, blank=True,
                             help_text="[{room_code, rate_code, date, field, channel, ours}] as found.")
    repaired = models.PositiveIntegerField(default=0, help_text="Dates pushed again.")
    failures = models.JSONField(default=list, blank=True, help_text="What could not be read or repaired.")
    reservations_pulled = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.listing} {self.started_at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"
