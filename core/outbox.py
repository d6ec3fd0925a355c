"""The transactional outbox: the one way to queue work after commit, without losing or sending early.

Two kinds of rows, both written inside the caller's transaction:

    outbox_publish(topic="booking.confirmed", key=booking.reference, payload={...})
    enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 7}, key=reference)

A domain event goes to every subscriber task; a task row goes to the one task it names (with its
routing options, e.g. an inventory shard queue). After commit the row is handed to the broker (on
RabbitMQ, or in-process in the embedded mode). That hand-over never raises into the caller: if the
broker is down the row stays unpublished and the periodic ``core.outbox_sweep`` hands it over
later. Delivery is at least once: tasks and subscribers are idempotent (they key their effects on
the message id or on a business key).

Lower apps publish; higher apps subscribe in their ``AppConfig.ready()``:

    subscribe("booking.confirmed", "rewards.on_booking_confirmed")

A subscriber is the name of a Celery task that accepts ``message_id``, ``topic``, ``key`` and
``payload`` keyword arguments.
"""
import logging
from collections import defaultdict
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.logging import LOG_CONTEXT_HEADER, propagated_context
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# A row whose topic starts with this is a task to run, not a domain event (no schema change needed).
TASK_PREFIX = "task:"
_ROUTING_OPTIONS = ("queue", "countdown", "priority")

_subscribers: dict[str, list[str]] = defaultdict(list)


def subscribe(topic: str, task_name: str) -> None:
    """Deliver every message on ``topic`` (or on a prefix ending in ``.*``) to a task."""
    if task_name not in _subscribers[topic]:
        _subscribers[topic].append(task_name)


def subscribers_of(topic: str) -> list[str]:
    names = list(_subscribers.get(topic, []))
    parts = topic.split(".")
    for i in range(len(parts) - 1, 0, -1):
        names += _subscribers.get(".".join(parts[:i]) + ".*", [])
    return names


def outbox_publish(*, topic: str, payload: dict, key: str = "") -> OutboxMessage:
    """Record an event in the current transaction; it is delivered after commit."""
    if topic.startswith(TASK_PREFIX):
        raise ValueError(f"{topic!r}: event topics may not start with {TASK_PREFIX!r}")
    return _record(topic=topic, key=key, payload=payload)


def enqueue_after_commit(*, task: str, kwargs: dict, key: str = "", args: list | tuple = (),
                         **options) -> OutboxMessage:
    """Queue the Celery task named ``task`` with ``kwargs`` once the current transaction commits.

    ``key`` names the aggregate it is about (a booking reference, an invoice id), so that sweeps
    can tell whether something is already queued for it (``queued_keys``). ``options`` are routing
    options kept with the row (``queue``, ``countdown``, ``priority``). Outside a transaction the
    hand-over happens at once, still without raising.
    """
    unknown = set(options) - set(_ROUTING_OPTIONS)
    if unknown:
        raise ValueError(f"unsupported task options: {', '.join(sorted(unknown))}")
    payload = {"kwargs": dict(kwargs), "options": {k: v for k, v in options.items() if v is not None}}
    if args:  # only re-driven dead letters carry positional arguments
        payload["args"] = list(args)
    if log_context := propagated_context():  # the request's id, also when the sweep sends it later
        payload["log_context"] = log_context
    return _record(topic=TASK_PREFIX + task, key=key, payload=payload)


def queued_keys(*, task: str, keys, handed_over_since=None) -> set[str]:
    """The keys among ``keys`` that have a row for ``task`` still waiting in the outbox, or (with
    ``handed_over_since``) handed to the broker since then, i.e. probably still being worked on."""
    waiting = Q(published_at__isnull=True)
    if handed_over_since is not None:
        waiting |= Q(published_at__gte=handed_over_since)
    return set(
        OutboxMessage.objects.filter(waiting, topic=TASK_PREFIX + task, key__in=list(keys))
        .values_list("key", flat=True)
    )


def _record(*, topic: str, key: str, payload: dict) -> OutboxMessage:
    message = OutboxMessage.objects.create(topic=topic, key=str(key)[:100], payload=payload)
    message_id = message.pk

    def deliver_after_commit() -> None:
        outbox_deliver(message_id=message_id)

    # robust: whatever goes wrong after COMMIT is logged, never raised into the caller (the
    # committed work stands; the sweep delivers the row later).
    transaction.on_commit(deliver_after_commit, robust=True)
    return message


def outbox_deliver(*, message_id: int) -> bool:
    """Hand one message to the broker and mark it published. Never raises.

    Claims the row with SKIP LOCKED so that the after-commit hook and the sweeper never hand
    the same message over at the same time.
    """
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, published_at__isnull=True)
                .first()
            )
            if message is None:
                return False
            _hand_over(message)
            message.published_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["published_at", "attempts"])
        return True
    except Exception as exc:  # the broker (or the database) is down: the sweeper will try again
        logger.warning("outbox message %s not delivered yet: %r", message_id, exc)
        _note_error(message_id=message_id, error=repr(exc))
        return False


def _hand_over(message: OutboxMessage) -> None:
    if message.topic.startswith(TASK_PREFIX):
        task_name = message.topic.removeprefix(TASK_PREFIX)
        options = message.payload.get("options") or {}
        current_app.tasks[task_name].apply_async(args=message.payload.get("args") or (),
                                     kwargs=message.payload.get("kwargs") or {},
                                     headers=_log_headers(message), **options)
        return
    kwargs = {"message_id": message.pk, "topic": message.topic, "key": message.key, "payload": message.payload}
    for task_name in subscribers_of(message.topic):
        current_app.tasks[task_name].apply_async(kwargs=kwargs)


def _log_headers(message: OutboxMessage) -> dict | None:
    """The log context the row was written under (the sweep hands it over outside that request)."""
    context = message.payload.get("log_context")
    return {LOG_CONTEXT_HEADER: context} if context else None


def _note_error(*, message_id: int, error: str) -> None:
    try:
        OutboxMessage.objects.filter(pk=message_id).update(last_error=error[:2000])
    except Exception as exc:  # noqa: BLE001 - only a note; the row stays unpublished either way
        logger.warning("outbox message %s: could not record the error: %r", message_id, exc)


def outbox_sweep(*, older_than: timedelta = timedelta(seconds=10), limit: int = 500) -> int:
    """Deliver messages the after-commit hook could not. Returns how many went out."""
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
    delivered = 0
    for message_id in pending.values_list("pk", flat=True)[:limit]:
        delivered += outbox_deliver(message_id=message_id)
    return delivered


def outbox_prune(*, older_than: timedelta, batch: int = 5000) -> int:
    """Delete rows handed over more than ``older_than`` ago (their work went out; subscribers keep
    their own records). Rows never handed over are kept whatever their age. Returns how many went."""
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        ids = list(OutboxMessage.objects.filter(published_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
