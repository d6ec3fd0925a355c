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
and published without going through ``apply_async`` for each one (``_Publisher``): the router is
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
import weakref
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

from celery import Task, current_app
from celery.app.routes import MapRoute
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from kombu.utils.uuid import uuid

from core import relay
from core.logging import LOG_CONTEXT_HEADER, propagated_context
from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# A row whose topic starts with this is a task to run, not a domain event (no schema change needed).
TASK_PREFIX = "task:"
_ROUTING_OPTIONS = ("queue", "countdown", "priority")

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
    """Publish ``messages`` on one producer; return the ids that went out, note the others."""
    sent = []
    try:
        with _one_publisher() as publisher:
            for message in messages:
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
        logger.warning("outbox: broker unavailable, %s messages wait: %r", len(messages) - len(sent), exc)
        failed.update({m.pk: repr(exc) for m in messages if m.pk not in sent and m.pk not in failed})
    return sent


@contextmanager
def _one_publisher():
    """One pooled producer for a whole batch, and what publishes on it; when tasks run
    in-process (nothing to connect) every message goes through ``apply_async``."""
    app = current_app._get_current_object()
    if app.conf.task_always_eager:
        yield _Publisher(app, producer=None)
        return
    with app.producer_or_acquire() as producer:
        yield _Publisher(app, producer=producer)


def _hand_over(message, publisher: "_Publisher", log_context: dict | None = None) -> None:
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


# A task class may set this to say that its own ``apply_async`` adds nothing to what an outbox row
# carries (e.g. it only fills in a queue that every row names): its rows then take the direct path.
OUTBOX_PUBLISH_DIRECT = "outbox_publish_direct"


class _Publisher:
    """Publishes task messages on one producer exactly as ``Task.apply_async`` would, without
    going through it (and ``app.send_task``) for every message.

    The message is Celery's own (``app.amqp.create_task_message``: id, headers, argsrepr and
    kwargsrepr, time limits, root and parent ids, reply-to) and goes out through Celery's own
    ``app.amqp.send_task_message`` (its exchange and routing-key rules, declaring the queue, the
    publish retry policy, the before/after publish signals). What is skipped is the work that is
    the same for every message of a task name: merging the task's options, asking the router
    (answered once per task name and row options, ``_plan``), reading the configuration, and
    copying the queue to bind it to the channel on every publish (bound once per channel here).
    Whatever this cannot show to be the same goes through ``apply_async`` as before (``_direct``):
    the embedded mode, a task class with its own ``apply_async`` (unless it sets
    ``OUTBOX_PUBLISH_DIRECT``) or shadow name, a result to store, a countdown, an expiry, a router
    that is a function, sent events. ``tests/core/test_outbox_publish.py`` compares both on RabbitMQ.
    """

    def __init__(self, app, producer) -> None:
        self.app, self.producer = app, producer
        self.amqp = app.amqp if producer is not None else None
        self.parent = app.current_worker_task  # the sweep runs in a worker task; the relay thread has none
        self.root_id = self.parent_id = None
        if self.parent is not None:
            self.root_id = self.parent.request.root_id or self.parent.request.id
            self.parent_id = self.parent.request.id
        conf = app.conf
        self.usable = producer is not None and not conf.task_send_sent_event and not (
            self.parent is not None and conf.task_inherit_parent_priority) and _routes_are_maps(self.amqp.router)
        self.reply_to = app.thread_oid if self.usable else None

    def send(self, task_name: str, *, args, kwargs: dict, options: dict, headers: dict | None,
             argsrepr: str | None = None, kwargsrepr: str | None = None) -> None:
        task = self.app.tasks[task_name]  # KeyError: an unknown task (this message fails alone)
        plan = self._direct(task, options)
        if plan is None:
            extra = {} if argsrepr is None else {"argsrepr": argsrepr, "kwargsrepr": kwargsrepr}
            task.apply_async(args=args, kwargs=kwargs, headers=headers, producer=self.producer, **extra, **options)
            return
        check_arguments = getattr(task, "__header__", None) if task.typing else None
        if check_arguments is not None:  # what apply_async checks first: arguments the task does not take
            check_arguments(*args, **kwargs)
        time_limit, soft_time_limit, ignore_result, route = plan
        route = dict(route) if argsrepr is None else dict(route, argsrepr=argsrepr, kwargsrepr=kwargsrepr)
        task_id = uuid()
        message = self.amqp.create_task_message(
            task_id, task_name, args, kwargs, None, None, None, None, None, 0, None, None, None,
            self.reply_to, time_limit, soft_time_limit, False, self.root_id, self.parent_id, None, None,
            ignore_result=ignore_result, replaced_task_nesting=0, headers=headers, **route)
        with self.producer.connection._reraise_as_library_errors():
            if "queue" in route:
                route["queue"] = self._bound(route["queue"])
            self.amqp.send_task_message(self.producer, task_name, message, headers=headers, **route)
        if self.parent is not None:  # as apply_async records a child of the task that queued it
            result = task.AsyncResult(task_id)
            result.ignored = ignore_result
            self.parent.add_trail(result)

    def _direct(self, task, options: dict):
        """The plan to publish ``task`` with these row options directly, or None for apply_async."""
        if not self.usable or options.get("countdown") or not _DIRECT_OPTIONS.issuperset(options):
            return None
        cls = type(task)
        if (cls.apply_async is not Task.apply_async and not getattr(task, OUTBOX_PUBLISH_DIRECT, False)) or (
                cls.shadow_name is not Task.shadow_name or task.__v2_compat__
                or task._dump_pydantic_arguments is not None):
            return None
        return _plan(self.amqp.router, task, options)

    def _bound(self, queue):
        """``queue`` bound to the producer's channel (kombu binds a copy of an unbound queue for
        every publish), kept while that channel lasts. Only on a connection that is up: opening it
        is left to the publish, with kombu's retries."""
        if not self.producer.connection.connected:
            return queue
        channel = self.producer.channel
        unbound, bound = _bound_queues.get(queue.name, (None, None))
        if unbound is not queue or bound.channel is not channel:
            bound = queue.bind(channel)
            _bound_queues[queue.name] = (queue, bound)
        return bound


# The row options the direct path knows (``enqueue_after_commit`` writes no others); a countdown
# only when it is 0 (an ETA is worked out per message: apply_async).
_DIRECT_OPTIONS = frozenset(_ROUTING_OPTIONS)

# Queue name → (the queue, bound to the channel it was last published on); bound again when the
# channel changes (another pooled connection, a reconnection) or the name stands for another queue.
_bound_queues: dict = {}


def _routes_are_maps(router) -> bool:
    """Routes that depend on the task name and options only (dicts and globs, not functions)."""
    return all(isinstance(route, MapRoute) for route in router.routes)


_plans: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # by router: what _plan worked out


def _plan(router, task, options: dict):
    """What ``apply_async`` and ``send_task`` work out for every message of ``task`` with these
    row options: (time limit, soft time limit, ignore_result, the routed options), or None when a
    message of this kind needs apply_async (an expiry, a result to store). Cached per router."""
    key = (task.name, tuple(sorted(options.items())))
    plans = _plans.setdefault(router, {})
    try:
        return plans[key]
    except KeyError:
        pass
    if task.soft_time_limit and task.time_limit and task.soft_time_limit > task.time_limit:
        plan = None  # apply_async raises its ValueError for each message
    else:
        merged = dict(task._get_exec_options(), **options)
        merged.pop("countdown", None)  # 0 here (_direct): no ETA, as send_task takes it
        merged.setdefault("ignore_result", task.ignore_result)
        time_limit, soft_time_limit = merged.pop("time_limit", None), merged.pop("soft_time_limit", None)
        expires, ignore_result = merged.pop("expires", None), merged.pop("ignore_result", None)
        if expires is not None or not ignore_result:
            plan = None
        else:
            plan = (time_limit, soft_time_limit, ignore_result, router.route(merged, task.name, (), {}, task))
    plans[key] = plan
    return plan


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
