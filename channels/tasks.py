"""Thin Celery tasks of the channel manager: load ids, call a service.

A channel that is slow, down, rate-limited or "still processing" raises a retryable
``ChannelError``: the task retries after the channel's Retry-After (or with backoff), and after
the last retry ReliableTask records the dead letter for staff.
"""
import random

from celery import shared_task

from channels.adapters.base import ChannelError
from channels.selectors import ota_listing_ids
from channels.services import (
    listing_pull,
    message_process,
    no_show_report,
    request_decided,
    revision_answer,
)
from channels.services.pushing import PUSH_QUEUE, changes_record, listing_flush, listings_due, step_send
from channels.services.reconciling import listing_reconcile, listing_resync
from core.outbox import enqueue_after_commit
from core.task_base import ReliableTask

PULL_TASK = "channels.pull"


class ChannelTask(ReliableTask):
    max_retries = 6

    def retry_for(self, exc: ChannelError):
        """Retry a retryable channel error after the channel's own delay, or with backoff."""
        if not exc.retryable:
            raise exc
        delay = exc.retry_after if exc.retry_after is not None else random.uniform(0.5, 1.5) * 2 ** self.request.retries
        return self.retry(exc=exc, countdown=min(delay, 300))


@shared_task(base=ChannelTask, bind=True, name="channels.process_message")
def process_message(self, *, message_id: int):
    try:
        return message_process(message_id=message_id)
    except ChannelError as exc:
        raise self.retry_for(exc) from exc


@shared_task(base=ChannelTask, bind=True, name="channels.answer")
def answer(self, *, revision_id: int) -> str:
    try:
        return revision_answer(revision_id=revision_id)
    except ChannelError as exc:
        raise self.retry_for(exc) from exc


@shared_task(base=ChannelTask, bind=True, name=PULL_TASK, max_retries=3)
def pull(self, *, listing_id: int) -> int:
    try:
        return listing_pull(listing_id=listing_id)
    except ChannelError as exc:
        raise self.retry_for(exc) from exc


@shared_task(base=ReliableTask, name="channels.pull_all", max_retries=0)
def pull_all() -> int:
    """Periodic (CHANNEL_POLL_SECONDS): one pull task per active listing."""
    listing_ids = ota_listing_ids()
    for listing_id in listing_ids:
        enqueue_after_commit(task=PULL_TASK, kwargs={"listing_id": listing_id}, key=f"listing:{listing_id}")
    return len(listing_ids)


@shared_task(base=ChannelTask, bind=True, name="channels.report_no_show")
def report_no_show(self, *, booking_id: int) -> bool:
    try:
        return no_show_report(booking_id=booking_id)
    except ChannelError as exc:
        raise self.retry_for(exc) from exc


@shared_task(base=ReliableTask, name="channels.on_request_decided")
def on_request_decided(*, message_id=None, topic="", key="", payload):
    """inventory.channel_request.*: apply the decision to the channel reservation it answers."""
    revision = request_decided(reference=payload["reference"], status=topic.rsplit(".", 1)[-1],
                               message=payload.get("message", ""), hold_id=payload.get("hold_id"))
    return revision.pk if revision else None


# --- pushing availability out ------------------------------------------------------------------

@shared_task(base=ReliableTask, name="channels.on_inventory_changed")
def on_inventory_changed(*, message_id=None, topic="", key="", payload):
    """inventory.changed: note the nights for every listing of the room type; flushes follow."""
    from datetime import date

    return changes_record(property_id=payload["property_id"], room_type_id=payload["room_type_id"],
                          dates=[date.fromisoformat(d) for d in payload["dates"]],
                          prices="rate_plan_id" in payload)


@shared_task(base=ReliableTask, name="channels.flush")
def flush(*, listing_id: int):
    step = listing_flush(listing_id=listing_id)
    return step.pk if step else None


@shared_task(base=ReliableTask, name="channels.push_step")
def push_step(*, step_id: int) -> str:
    return step_send(step_id=step_id).status


@shared_task(base=ReliableTask, name="channels.flush_batched", max_retries=0)
def flush_batched() -> int:
    """Periodic (every CHANNEL_PUSH_BATCH_TICK_SECONDS): the single-date channel's batches that are
    due (shown within CHANNEL_PUSH_BATCH_SECONDS of their first change), and stragglers."""
    listing_ids = listings_due()
    for listing_id in listing_ids:
        enqueue_after_commit(task="channels.flush", kwargs={"listing_id": listing_id}, key=f"listing:{listing_id}",
                             queue=PUSH_QUEUE)
    return len(listing_ids)


# --- reconciliation ----------------------------------------------------------------------------

@shared_task(base=ReliableTask, name="channels.reconcile_all", max_retries=0)
def reconcile_all() -> int:
    """Periodic (CHANNEL_RECONCILE_SECONDS, 15 min): one reconciliation per active listing."""
    listing_ids = ota_listing_ids()
    for listing_id in listing_ids:
        enqueue_after_commit(task="channels.reconcile", kwargs={"listing_id": listing_id}, key=f"listing:{listing_id}")
    return len(listing_ids)


@shared_task(base=ReliableTask, name="channels.reconcile", max_retries=2)
def reconcile(*, listing_id: int) -> str:
    return listing_reconcile(listing_id=listing_id).outcome


@shared_task(base=ReliableTask, name="channels.resync", max_retries=2)
def resync(*, listing_id: int) -> str:
    return listing_resync(listing_id=listing_id).status
