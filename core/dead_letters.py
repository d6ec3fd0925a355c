"""Dead letters for staff: list the tasks that gave up, and re-drive one (send it again).

A task that used up its retries is rejected into RabbitMQ's ``dead-letter`` queue and recorded
as a ``FailedTask`` (task name, args, kwargs, error) by ``ReliableTask``. Re-driving marks the
record resolved and queues the same task with the same arguments through the outbox, in one
transaction: re-driving it again finds it resolved and sends nothing; a broker outage at that
moment delays the send (the outbox sweep) but never loses it. If the task fails again, it gives
up into a new record.
"""
from django.db import transaction
from django.utils import timezone

from core.models import FailedTask
from core.outbox import enqueue_after_commit


class DeadLetterNotFound(Exception):
    """No recorded dead letter has that id."""


def dead_letters_open():
    """Dead letters nobody has resolved or re-driven yet, newest first."""
    return FailedTask.objects.filter(resolved_at__isnull=True).order_by("-failed_at")


def dead_letter_redrive(*, failed_task_id: int, by: str = "") -> bool:
    """Send the task of one dead letter again. Returns False when it was already resolved."""
    with transaction.atomic():
        failed = FailedTask.objects.select_for_update().filter(pk=failed_task_id).first()
        if failed is None:
            raise DeadLetterNotFound(f"No dead letter #{failed_task_id}.")
        if failed.resolved_at is not None:
            return False
        now = timezone.now()
        failed.resolved_at = now
        failed.resolution_note = f"re-driven at {now.isoformat(timespec='seconds')}" + (f" by {by}" if by else "")
        failed.save(update_fields=["resolved_at", "resolution_note"])
        enqueue_after_commit(task=failed.task_name, args=failed.args, kwargs=failed.kwargs,
                             key=f"failed-task:{failed.pk}")
    return True
