"""Reliable background work: the transactional outbox and the record of tasks that gave up."""
from django.db import models


class OutboxMessage(models.Model):
    """A domain event written in the same transaction as the change it announces.

    It is delivered to its subscribers after commit, and swept again by a periodic relay if
    the broker was unreachable then, so an outage delays an event but never loses it.
    """

    topic = models.CharField(max_length=100, db_index=True)
    key = models.CharField(max_length=100, blank=True, help_text="The aggregate it is about.")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "travel_outboxmessage"  # the table predates the core app
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="outbox_unpublished_idx", condition=models.Q(published_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.topic} {self.key}"


class FailedTask(models.Model):
    """A background task that used up its retries: dead-lettered and shown to staff."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64, unique=True)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    failed_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        db_table = "travel_failedtask"  # the table predates the core app
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task_name} ({self.task_id})"
