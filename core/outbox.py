"""The transactional outbox: publish domain events without losing them or sending them early.

    outbox_publish(topic="booking.confirmed", key=booking.reference, payload={...})

writes an ``OutboxMessage`` inside the caller's transaction. After commit, the message is handed
to every subscriber task (on RabbitMQ, or in-process in the embedded mode). If that fails, the
periodic ``core.outbox_sweep`` hands it over later. Delivery is at least once: subscribers are
idempotent (they key their effects on the message id or on a business key).

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
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

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
    message = OutboxMessage.objects.create(topic=topic, key=key, payload=payload)
    message_id = message.pk
    transaction.on_commit(lambda: outbox_deliver(message_id=message_id))
    return message


def outbox_deliver(*, message_id: int) -> bool:
    """Hand one message to its subscribers and mark it published. Never raises.

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
            kwargs = {
                "message_id": message.pk,
                "topic": message.topic,
                "key": message.key,
                "payload": message.payload,
            }
            for task_name in subscribers_of(message.topic):
                current_app.tasks[task_name].apply_async(kwargs=kwargs)
            message.published_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["published_at", "attempts"])
        return True
    except Exception as exc:  # the broker is down: the sweeper will try again
        logger.warning("outbox message %s not delivered yet: %r", message_id, exc)
        OutboxMessage.objects.filter(pk=message_id).update(last_error=repr(exc)[:2000])
        return False


def outbox_sweep(*, older_than: timedelta = timedelta(seconds=10), limit: int = 500) -> int:
    """Deliver messages the after-commit hook could not. Returns how many went out."""
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
    delivered = 0
    for message_id in pending.values_list("pk", flat=True)[:limit]:
        delivered += outbox_deliver(message_id=message_id)
    return delivered
