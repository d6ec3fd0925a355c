"""The transactional outbox: the one way to queue work after commit, without losing or sending early.

Two kinds of rows, both written inside the caller's transaction:

    outbox_publish(topic="booking.confirmed", key=booking.reference, payload={...})
    enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 7}, key=reference)

A domain event goes to every subscriber task; a task row goes to the one task it names (with its
routing options, e.g. an inventory shard queue). After commit the row's id goes to the relay
(``core.relay``): a thread per process that hands the committed rows it is given to RabbitMQ in
batches (one claim, one producer, one UPDATE per batch), so a request never waits on the broker.
With ``OUTBOX_RELAY = "inline"``, in the embedded mode (tasks run in-process) and while the
connection is still inside an atomic block (a test emulating the commit) the row is handed over
at once in the caller's thread instead, as before. The hand-over never raises into the caller: if
the broker is down, or the process dies with ids in its relay queue, the row stays unpublished
and the periodic ``core.outbox_sweep`` hands it over later. Delivery is at least once: tasks and
subscribers are idempotent (they key their effects on the message id or on a business key).

The messages are Celery's own task messages, the same as ``Task.apply_async`` sends, but built
and published without going through ``apply_async`` for each one (``core.outbox_publisher``): the router is
asked once per task name, the queue bound once per channel. A task class that overrides
``apply_async`` is published through it, unless it sets ``outbox_publish_direct = True``
(``OUTBOX_PUBLISH_DIRECT``) to say that its override adds nothing to an outbox row.

Lower apps publish; higher apps subscribe in their ``AppConfig.ready()``:

    subscribe("booking.confirmed", "rewards.on_booking_confirmed")

A subscriber is the name of a Celery task that accepts ``message_id``, ``topic``, ``key`` and
``payload`` keyword arguments.
"""
import json
import logging
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from core import relay
from core.logging import LOG_CONTEXT_HEADER, propagated_context
from core.models import OutboxMessage
from core.outbox_publisher import ROUTING_OPTIONS, Publisher

logger = logging.getLogger(__name__)

# A row whose topic starts with this is a task to run, not a domain event (no schema change needed).
TASK_PREFIX = "task:"

_subscribers: dict[str, list[str]] = defaultdict(list)
# What a failed publish raises when the broker itself is unreachable (not one message's fault).
_BROKER_ERRORS = (OSError, KombuOperationalError, ConnectionError)


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
    unknown = set(options) - set(ROUTING_OPTIONS)
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
    message = _insert(topic=topic, key=str(key)[:100], payload=payload)
    _deliver_after_commit(message.pk)
    return message


def _deliver_after_commit(message_id: int) -> None:
    def deliver_after_commit() -> None:
        if _relayed_in_background():  # with the log context of the request that committed it
            relay.hand_off(message_id, log_context=propagated_context())
        else:
            outbox_deliver(message_id=message_id)

    # robust: whatever goes wrong after COMMIT is logged, never raised into the caller (the
    # committed work stands; the sweep delivers the row later).
    transaction.on_commit(deliver_after_commit, robust=True)


# One row's INSERT, with named parameters (``outbox_event_params``), for a hot path that writes
# its event in a statement of its own (a CTE): PostgreSQL only.
OUTBOX_INSERT = (
    f"INSERT INTO {OutboxMessage._meta.db_table} (topic, key, payload, created_at, attempts, last_error) "
    "VALUES (%(outbox_topic)s, %(outbox_key)s, %(outbox_payload)s, %(outbox_created_at)s, 0, '') RETURNING id"
)


def outbox_event_params(*, topic: str, key: str, payload: dict, now) -> dict:
    """The parameters of ``OUTBOX_INSERT`` for an event (as ``outbox_publish`` would write it).
    The caller runs the INSERT inside its transaction and then calls ``outbox_event_written``."""
    if topic.startswith(TASK_PREFIX):
        raise ValueError(f"{topic!r}: event topics may not start with {TASK_PREFIX!r}")
    return {"outbox_topic": topic, "outbox_key": str(key)[:100], "outbox_payload": json.dumps(payload),
            "outbox_created_at": now}


def outbox_event_written(*, message_id: int) -> None:
    """A row written with ``OUTBOX_INSERT`` in the current transaction: deliver it after commit."""
    _deliver_after_commit(message_id)


def _insert(*, topic: str, key: str, payload: dict) -> OutboxMessage:
    """Write the row with one plain INSERT … RETURNING id (no model instance saved, no queryset
    compiled: every reservation and placement writes one or more of these on its hot path) and
    return it as the ORM would have loaded it."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (topic, key, payload, created_at, attempts, last_error) "
                       "VALUES (%s, %s, %s, %s, 0, '') RETURNING id",
                       [topic, key, json.dumps(payload), connection.ops.adapt_datetimefield_value(now)])
        (message_id,) = cursor.fetchone()
    message = OutboxMessage(pk=message_id, topic=topic, key=key, payload=payload, created_at=now)
    message._state.adding = False
    return message


def _relayed_in_background() -> bool:
    """The relay thread sees only committed rows and publishes to the broker: not for in-process
    tasks (the embedded mode, eager tests), nor while this connection is still inside an atomic
    block (a test's transaction running its on-commit callbacks)."""
    return (
        settings.OUTBOX_RELAY == "thread"
        and not current_app.conf.task_always_eager
        and not transaction.get_connection().in_atomic_block
    )


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
            if _sends_something(message):
                with _one_publisher() as publisher:
                    _hand_over(message, publisher=publisher)
            message.published_at = timezone.now()
            message.attempts += 1
            message.save(update_fields=["published_at", "attempts"])
        return True
    except Exception as exc:  # the broker (or the database) is down: the sweeper will try again
        logger.warning("outbox message %s not delivered yet: %r", message_id, exc)
        _note_error(message_id=message_id, error=repr(exc))
        return False


def outbox_deliver_many(*, message_ids, log_contexts: dict | None = None) -> int:
    """Hand a batch of messages to the broker and mark them published. Never raises.

    One transaction of three statements whatever the batch's size: one UPDATE … RETURNING claims
    and marks the unpublished rows among ``message_ids`` (on PostgreSQL it skips rows that the
    sweep or another relay holds), the messages go out on one producer (one pooled broker
    connection and channel), then COMMIT. A message that cannot be published (an unknown task)
    is put back alone, with its error; a broker failure puts back the rest of the batch for the
    sweep. ``log_contexts`` (by id) is the log context each row was committed under: its
    messages carry it (docs/observability.md). Returns how many went out.
    """
    failed: dict[int, str] = {}
    try:
        with transaction.atomic():
            messages = _claim(list(message_ids))
            if not messages:
                return 0
            sent = _hand_over_all(messages, failed, log_contexts or {})
            for message_id, error in failed.items():  # not handed over: waiting again
                OutboxMessage.objects.filter(pk=message_id).update(
                    published_at=None, attempts=F("attempts") - 1, last_error=error[:2000])
    except Exception as exc:  # the database is down: the sweeper will try again
        logger.warning("outbox messages %s not delivered yet: %r", list(message_ids)[:20], exc)
        return 0
    return len(sent)


class _Claimed(NamedTuple):
    """A claimed row, as much of it as its hand-over reads."""

    pk: int
    topic: str
    key: str
    payload: dict


def _claim(message_ids: list[int]) -> list[_Claimed]:
    """Mark the unpublished rows among ``message_ids`` handed over, in one statement, and return
    them (id, topic, key, payload). Their row locks last until the COMMIT."""
    if not message_ids:
        return []
    connection = transaction.get_connection()
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    ids = ", ".join(["%s"] * len(message_ids))
    if connection.vendor == "postgresql":
        which = (f"id IN (SELECT id FROM {table} WHERE id IN ({ids}) AND published_at IS NULL "
                 "ORDER BY id FOR UPDATE SKIP LOCKED)")
    else:  # SQLite (the embedded mode): one writer at a time
        which = f"id IN ({ids}) AND published_at IS NULL"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET published_at = %s, attempts = attempts + 1 WHERE {which} "
                       "RETURNING id, topic, key, payload", [now, *message_ids])
        rows = cursor.fetchall()
    return [_Claimed(pk, topic, key, json.loads(payload) if isinstance(payload, str) else payload)
            for pk, topic, key, payload in sorted(rows)]


def _hand_over_all(messages: list, failed: dict[int, str], log_contexts: dict) -> list[int]:
    """Publish ``messages`` on one producer; return the ids that went out, note the others. Events
    no task subscribes to have nothing to send: they are handed over as they are, and a batch of
    only those takes no producer (nor the broker's being up)."""
    sent, to_send = [], []
    for message in messages:
        if _sends_something(message):
            to_send.append(message)
        else:
            sent.append(message.pk)
    if not to_send:
        return sent
    try:
        with _one_publisher() as publisher:
            for message in to_send:
                try:
                    _hand_over(message, publisher=publisher, log_context=log_contexts.get(message.pk))
                except _BROKER_ERRORS:
                    raise
                except Exception as exc:  # this message only (an unknown task, a bad payload)
                    logger.warning("outbox message %s not delivered: %r", message.pk, exc)
                    failed[message.pk] = repr(exc)
                else:
                    sent.append(message.pk)
    except _BROKER_ERRORS as exc:  # the broker is down: the rest waits for the sweep
        waiting = {m.pk: repr(exc) for m in to_send if m.pk not in sent and m.pk not in failed}
        logger.warning("outbox: broker unavailable, %s messages wait: %r", len(waiting), exc)
        failed.update(waiting)
    return sent


def _sends_something(message) -> bool:
    """Whether handing ``message`` over sends anything: a task row always, an event when some task
    subscribes to its topic."""
    return message.topic.startswith(TASK_PREFIX) or bool(subscribers_of(message.topic))


@contextmanager
def _one_publisher():
    """One pooled producer for a whole batch, and what publishes on it; when tasks run
    in-process (nothing to connect) every message goes through ``apply_async``."""
    app = current_app._get_current_object()
    if app.conf.task_always_eager:
        yield Publisher(app, producer=None)
        return
    with app.producer_or_acquire() as producer:
        yield Publisher(app, producer=producer)


def _hand_over(message, publisher: "Publisher", log_context: dict | None = None) -> None:
    """Publish one row. ``log_context``: the context it was committed under, when the hand-over
    runs elsewhere (the relay thread); without it a message carries the context of the moment."""
    if message.topic.startswith(TASK_PREFIX):
        payload = message.payload
        publisher.send(message.topic.removeprefix(TASK_PREFIX), args=payload.get("args") or (),
                       kwargs=payload.get("kwargs") or {}, options=payload.get("options") or {},
                       headers=_log_headers(payload.get("log_context") or log_context))
        return
    kwargs = {"message_id": message.pk, "topic": message.topic, "key": message.key, "payload": message.payload}
    # What monitoring shows for the arguments, named here: Celery would otherwise build a safe
    # repr of the whole payload for every message (a third of the relay's CPU a message).
    shown = f"{{'message_id': {message.pk}, 'topic': {message.topic!r}, 'key': {message.key!r}, 'payload': ...}}"
    headers = _log_headers(log_context)
    for task_name in subscribers_of(message.topic):
        publisher.send(task_name, args=(), kwargs=kwargs, options={}, headers=headers,
                       argsrepr="()", kwargsrepr=shown)


def _log_headers(context: dict | None) -> dict | None:
    """The log context a row was written under (the relay and the sweep hand it over elsewhere)."""
    return {LOG_CONTEXT_HEADER: context} if context else None


def _note_error(*, message_id: int, error: str) -> None:
    try:
        OutboxMessage.objects.filter(pk=message_id).update(last_error=error[:2000])
    except Exception as exc:  # noqa: BLE001 - only a note; the row stays unpublished either way
        logger.warning("outbox message %s: could not record the error: %r", message_id, exc)


def outbox_sweep(*, older_than: timedelta = timedelta(seconds=10), limit: int = 500,
                 batch: int = 100) -> int:
    """Deliver messages the after-commit hand-over could not (the broker was down, the process
    died with them in its relay queue), in batches. Returns how many went out."""
    cutoff = timezone.now() - older_than
    pending = OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=cutoff)
    message_ids = list(pending.order_by("pk").values_list("pk", flat=True)[:limit])
    delivered = 0
    for start in range(0, len(message_ids), batch):
        delivered += outbox_deliver_many(message_ids=message_ids[start:start + batch])
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
