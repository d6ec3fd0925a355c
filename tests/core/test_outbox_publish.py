"""What the outbox hands to RabbitMQ is what Celery's own ``apply_async`` would have sent.

The relay publishes task messages without going through ``Task.apply_async`` for each one
(``core.outbox_publisher.Publisher``). Each test here publishes the same outbox row twice from the same
thread, once as the relay does (``outbox_deliver_many``) and once through ``apply_async`` as the
hand-over did before, takes both messages out of the real queue they were routed to, and compares
them: body, headers, properties and routing (exchange, routing key, queue), the task id aside.
"""
from datetime import timedelta

import pytest
import structlog
from celery._state import _task_stack
from django.db import transaction
from kombu import Queue

from core import outbox
from core.logging import LOG_CONTEXT_HEADER
from core.models import OutboxMessage
from core.outbox import TASK_PREFIX, enqueue_after_commit, outbox_deliver_many, outbox_publish, outbox_sweep, subscribe
from core.outbox_publisher import OUTBOX_PUBLISH_DIRECT
from core.task_base import ReliableTask
from travel.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

TOPIC = "publishtest.happened"
SUBSCRIBERS = ("publishtest.first", "publishtest.second")  # no route: the default queue
POSITIONAL = "publishtest.positional"


def _takes_anything(*args, **kwargs):
    """Never run here: the tests read what reaches the queue."""


for _name in (*SUBSCRIBERS, POSITIONAL):
    app.task(name=_name, base=ReliableTask)(_takes_anything)
for _name in SUBSCRIBERS:
    subscribe(TOPIC, _name)


@pytest.fixture
def held_rows(monkeypatch, settings):
    """Rows are written by the services' own functions and committed, but their after-commit
    hand-off is held back: the test hands them over itself, in its own thread."""
    settings.OUTBOX_RELAY = "thread"
    monkeypatch.setattr(outbox, "_deliver_after_commit", lambda message_id: None)


def _empty(*queue_names: str) -> None:
    with app.connection_for_write() as conn:
        for name in queue_names:
            queue = app.amqp.queues[name].bind(conn.default_channel)
            queue.declare()
            queue.purge()


def _take(queue_name: str) -> list[dict]:
    """Every message in ``queue_name``, as what a consumer sees, its own task id replaced by ``<id>``."""
    taken = []
    with app.connection_for_write() as conn:
        queue = Queue(queue_name, no_declare=True).bind(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            task_id = message.headers["id"]

            def same_but_id(value, task_id=task_id):
                if isinstance(value, dict):
                    return {k: same_but_id(v) for k, v in value.items()}
                if isinstance(value, list | tuple):
                    return [same_but_id(v) for v in value]
                return "<id>" if value == task_id else value

            properties = {k: v for k, v in message.properties.items() if k != "application_headers"}
            taken.append(same_but_id({
                "queue": queue_name,
                "exchange": message.delivery_info["exchange"],
                "routing_key": message.delivery_info["routing_key"],
                "headers": message.headers,
                "properties": properties,
                "content_type": message.content_type,
                "content_encoding": message.content_encoding,
                "body": message.decode(),
            }))
    return sorted(taken, key=lambda m: m["headers"]["task"])


def _by_apply_async(message_id: int, log_context: dict | None) -> None:
    """The hand-over as it was: ``apply_async`` per message (the reference)."""
    row = OutboxMessage.objects.get(pk=message_id)
    with app.producer_or_acquire() as producer:
        if row.topic.startswith(TASK_PREFIX):
            context = row.payload.get("log_context") or log_context
            app.tasks[row.topic.removeprefix(TASK_PREFIX)].apply_async(
                args=row.payload.get("args") or (), kwargs=row.payload.get("kwargs") or {},
                headers={LOG_CONTEXT_HEADER: context} if context else None, producer=producer,
                **row.payload.get("options") or {})
            return
        kwargs = {"message_id": row.pk, "topic": row.topic, "key": row.key, "payload": row.payload}
        shown = f"{{'message_id': {row.pk}, 'topic': {row.topic!r}, 'key': {row.key!r}, 'payload': ...}}"
        for name in outbox.subscribers_of(row.topic):
            app.tasks[name].apply_async(kwargs=kwargs, headers={LOG_CONTEXT_HEADER: log_context} if log_context
                                        else None, producer=producer, argsrepr="()", kwargsrepr=shown)


def _both_ways(write, queue_name: str, log_context: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(what the outbox published, what apply_async published) for the row ``write`` commits."""
    _empty(queue_name)
    with transaction.atomic():
        message_id = write().pk
    _by_apply_async(message_id, log_context)
    reference = _take(queue_name)
    assert outbox_deliver_many(message_ids=[message_id], log_contexts={message_id: log_context or {}}) == 1
    published = _take(queue_name)
    assert not OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True).exists()
    return published, reference


def test_an_event_reaches_each_subscriber_as_apply_async_would_send_it(held_rows):
    context = {"request_id": "publish-0001", "user_id": 7}
    published, reference = _both_ways(
        lambda: outbox_publish(topic=TOPIC, key="BK1", payload={"reference": "BK1", "nights": ["2027-01-02"]}),
        "default", context)

    assert [m["headers"]["task"] for m in published] == sorted(SUBSCRIBERS)
    assert published == reference
    assert published[0]["headers"][LOG_CONTEXT_HEADER] == context
    assert published[0]["exchange"] == "" and published[0]["routing_key"] == "default"


def test_a_routed_event_goes_to_its_subscribers_queue_as_apply_async_would_send_it(held_rows):
    # the real subscriber of inventory.changed, routed to channels.push by CELERY_TASK_ROUTES
    published, reference = _both_ways(
        lambda: outbox_publish(topic="inventory.changed", key="7.3",
                               payload={"room_type_id": 3, "property_id": 7, "dates": ["2027-01-02"],
                                        "source": "direct"}),
        "channels.push", {"request_id": "publish-0002"})

    assert [m["headers"]["task"] for m in published] == ["channels.on_inventory_changed"]
    assert published == reference
    assert published[0]["routing_key"] == "channels.push"


def test_a_task_row_with_its_own_log_context_is_sent_as_apply_async_would(held_rows):
    with structlog.contextvars.bound_contextvars(request_id="publish-0003"):
        published, reference = _both_ways(
            lambda: enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 41}, key="41"),
            "payments")

    assert len(published) == 1 and published == reference
    assert published[0]["headers"][LOG_CONTEXT_HEADER] == {"request_id": "publish-0003"}
    assert published[0]["headers"]["kwargsrepr"] == "{'invoice_id': 41}"  # Celery's own safe repr
    assert published[0]["body"][1] == {"invoice_id": 41}


def test_positional_arguments_a_priority_and_no_log_context_are_sent_as_apply_async_would(held_rows):
    published, reference = _both_ways(
        lambda: enqueue_after_commit(task=POSITIONAL, args=[3, "x"], kwargs={"n": 1}, key="redrive", priority=5,
                                     countdown=0),
        "default")

    assert len(published) == 1 and published == reference
    assert published[0]["body"][0] == [3, "x"] and published[0]["properties"]["priority"] == 5


def test_a_task_row_with_a_countdown_is_sent_as_apply_async_would(held_rows):
    from datetime import datetime

    published, reference = _both_ways(
        lambda: enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 44}, key="44", countdown=30),
        "payments")

    etas = [datetime.fromisoformat(m["headers"].pop("eta")) for m in (*published, *reference)]
    assert published == reference
    assert abs((etas[0] - etas[1]).total_seconds()) < 5  # due 30 s after each was sent


@pytest.mark.parametrize("direct", [False, True], ids=["own-apply_async", "declared-direct"])
def test_a_task_row_for_an_inventory_shard_is_sent_as_apply_async_would(held_rows, monkeypatch, direct):
    # inventory.channel_reserve has its own apply_async: taken through it unless the task says
    # the outbox may publish it directly (its rows always name their shard queue)
    task = app.tasks["inventory.channel_reserve"]
    monkeypatch.setattr(type(task), OUTBOX_PUBLISH_DIRECT, direct, raising=False)
    calls = []
    own = type(task).apply_async
    monkeypatch.setattr(type(task), "apply_async", lambda self, *a, **k: calls.append(1) or own(self, *a, **k))
    published, reference = _both_ways(
        lambda: enqueue_after_commit(task="inventory.channel_reserve", kwargs={"request_id": 12}, key="ota-12",
                                     queue="inventory.shard.2"),
        "inventory.shard.2")

    assert len(published) == 1 and published == reference
    assert published[0]["routing_key"] == "inventory.shard.2"
    assert len(calls) == (1 if direct else 2)  # the reference always; the outbox only without the flag


def test_a_row_handed_over_inside_a_worker_task_names_it_as_parent_as_apply_async_would(held_rows):
    # the sweep runs as a task on a worker: what it sends carries its id as parent and root
    sweep = app.tasks["core.outbox_sweep"]
    sweep.push_request(id="sweep-task-id", root_id="root-task-id", called_directly=False)
    _task_stack.push(sweep)
    try:
        published, reference = _both_ways(
            lambda: enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 42}, key="42"),
            "payments")
    finally:
        _task_stack.pop()
        sweep.pop_request()

    assert published == reference
    assert (published[0]["headers"]["parent_id"], published[0]["headers"]["root_id"]) == (
        "sweep-task-id", "root-task-id")


def test_a_row_that_cannot_be_sent_waits_alone_and_the_rest_of_its_batch_goes_out(held_rows):
    _empty("payments")
    with transaction.atomic():
        unknown = enqueue_after_commit(task="publishtest.no_such_task", kwargs={}, key="u").pk
        wrong = enqueue_after_commit(task="payments.submit_invoice", kwargs={"no_such_argument": 1}, key="w").pk
        good = enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": 43}, key="43").pk

    assert outbox_deliver_many(message_ids=[unknown, wrong, good]) == 1

    assert [m["body"][1] for m in _take("payments")] == [{"invoice_id": 43}]
    waiting = dict(OutboxMessage.objects.filter(published_at__isnull=True).values_list("pk", "last_error"))
    assert set(waiting) == {unknown, wrong}
    assert "never registered" in waiting[unknown]
    assert "TypeError" in waiting[wrong]
    assert outbox_sweep(older_than=timedelta(0)) == 0  # still not sendable: they stay, noted


def test_rows_handed_over_while_the_broker_is_down_stay_unpublished_and_the_sweep_sends_them(held_rows):
    from tests.core.broker import broker_unreachable

    _empty("payments")
    with transaction.atomic():
        ids = [enqueue_after_commit(task="payments.submit_invoice", kwargs={"invoice_id": n}, key=str(n)).pk
               for n in (51, 52, 53)]
    with broker_unreachable():
        assert outbox_deliver_many(message_ids=ids) == 0
    assert OutboxMessage.objects.filter(pk__in=ids, published_at__isnull=True).count() == 3
    assert _take("payments") == []

    assert outbox_sweep(older_than=timedelta(0)) == 3
    assert sorted(m["body"][1]["invoice_id"] for m in _take("payments")) == [51, 52, 53]
