"""The outbox relay (core/relay.py) on real PostgreSQL and RabbitMQ: committed rows reach the
broker in batches from one thread per process, each exactly once, never from the request, and a
relay that dies leaves its rows to the sweep."""
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from kombu import Connection, Exchange, Producer, Queue

from core import relay
from core.models import OutboxMessage
from core.outbox import outbox_publish, outbox_sweep, subscribe
from core.task_base import ReliableTask
from tests.bookings.test_placing import _lock, _place
from tests.core.broker import broker_unreachable
from tests.fixtures.worker import wait_for
from travel.celery import app

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

QUEUE = "test.outbox_relay"
TOPIC = "relaytest.burst"
SUBSCRIBERS = ("relaytest.first", "relaytest.second")


def _noop(**kwargs):
    """A subscriber that is never run here: the test counts what reaches its queue."""


for _name in SUBSCRIBERS:
    app.task(name=_name, queue=QUEUE, base=ReliableTask)(_noop)
    subscribe(TOPIC, _name)


@pytest.fixture
def subscriber_queue(settings):
    """The subscribers' queue, declared and empty; what it holds is read by ``_taken``."""
    settings.OUTBOX_RELAY = "thread"
    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE).bind(conn.default_channel)
        queue.declare()
        queue.purge()
    yield
    with Connection(settings.CELERY_BROKER_URL) as conn:
        Queue(QUEUE, no_declare=True).bind(conn.default_channel).delete()


def _taken(broker_url: str) -> Counter:
    """Take every message out of the subscribers' queue: (subscriber task, outbox message id) → count."""
    seen = Counter()
    with Connection(broker_url) as conn:
        queue = Queue(QUEUE, no_declare=True).bind(conn.default_channel)
        while (message := queue.get(no_ack=False)) is not None:
            _args, kwargs, _embed = message.decode()
            seen[(message.headers["task"], kwargs["message_id"])] += 1
            message.ack()
    return seen


def _taken_until(broker_url: str, expected: set, timeout: float = 10) -> Counter:
    """Everything the queue receives until ``expected`` has all arrived (or ``timeout``)."""
    seen, deadline = Counter(), time.monotonic() + timeout
    while not set(seen) >= expected and time.monotonic() < deadline:
        seen.update(_taken(broker_url))
        time.sleep(0.1)
    return seen


def _commit_event(n: int) -> int:
    with transaction.atomic():
        return outbox_publish(topic=TOPIC, key=f"burst-{n}", payload={"n": n}).pk


def _all_published(ids) -> bool:
    return not OutboxMessage.objects.filter(pk__in=ids, published_at__isnull=True).exists()


def test_a_burst_of_concurrent_transactions_is_published_exactly_once_per_subscriber(subscriber_queue, settings):
    writers, per_writer = 4, 25
    ids, lock = [], threading.Lock()

    def write(w: int) -> None:
        try:
            for i in range(per_writer):
                pk = _commit_event(w * per_writer + i)
                with lock:
                    ids.append(pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == writers * per_writer
    assert wait_for(lambda: _all_published(ids), timeout=20), "the relay left rows unpublished"
    expected = {(task, pk) for task in SUBSCRIBERS for pk in ids}
    seen = _taken_until(settings.CELERY_BROKER_URL, expected)
    assert outbox_sweep(older_than=timedelta(0)) == 0  # nothing left over for the sweep
    time.sleep(0.5)
    seen.update(_taken(settings.CELERY_BROKER_URL))  # a late duplicate would show here
    assert set(seen) == expected and set(seen.values()) == {1}, "each row once to each subscriber"
    assert sum(seen.values()) == writers * per_writer * len(SUBSCRIBERS)


class _Recorder:
    """Counts broker connections opened and messages published, by the thread that did it."""

    def __init__(self):
        self.connections, self.publishes = Counter(), Counter()

    @contextmanager
    def watching(self, monkeypatch):
        establish, publish = Connection._establish_connection, Producer.publish

        def counted_establish(conn, *args, **kwargs):
            self.connections[threading.current_thread().name] += 1
            return establish(conn, *args, **kwargs)

        def counted_publish(producer, *args, **kwargs):
            self.publishes[threading.current_thread().name] += 1
            return publish(producer, *args, **kwargs)

        monkeypatch.setattr(Connection, "_establish_connection", counted_establish)
        monkeypatch.setattr(Producer, "publish", counted_publish)
        yield self


def test_placing_a_booking_makes_no_broker_connection_nor_publish_in_the_request(
        api, room, settings, monkeypatch):
    settings.OUTBOX_RELAY = "thread"
    # Fresh pools: no connection left from earlier tests, so any use would open one (and count).
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    lock = _lock(api, room)
    recorder = _Recorder()
    with recorder.watching(monkeypatch):
        with CaptureQueriesContext(connection) as request_queries:
            response = _place(api, lock["lock_id"], key="relay-no-broker")
        assert response.status_code == 201, response.content
        request_thread = threading.current_thread().name
        reference = response.json()["reference"]
        rows = OutboxMessage.objects.filter(key=reference)
        assert rows.exists()
        assert wait_for(lambda: not rows.filter(published_at__isnull=True).exists(), timeout=20)

    assert recorder.connections[request_thread] == 0 and recorder.publishes[request_thread] == 0, (
        recorder.connections, recorder.publishes)
    assert recorder.publishes["outbox-relay"] >= rows.count()  # the relay thread sent them
    outbox_statements = [q["sql"] for q in request_queries.captured_queries if "travel_outboxmessage" in q["sql"]]
    # its rows are only inserted (plain INSERTs, and the reservation's one statement, a WITH whose
    # outbox part is an INSERT): no claim, no mark
    assert outbox_statements and {sql.split()[0] for sql in outbox_statements} <= {"INSERT", "WITH"}, outbox_statements
    assert not [sql for sql in outbox_statements if "UPDATE travel_outboxmessage" in sql.replace('"', "")
                or "SKIP LOCKED" in sql], outbox_statements


class _ThreadKilled(BaseException):
    """Stands for the thread (or its process) dying in the middle of a hand-over."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the death is the point
def test_rows_a_dead_relay_did_not_publish_are_published_by_the_sweep(subscriber_queue, settings, monkeypatch):
    from core import outbox

    def die(message, **kwargs):
        connection.close()  # its connection goes with it: PostgreSQL rolls the claim back
        raise _ThreadKilled()

    monkeypatch.setattr(outbox, "_hand_over", die)
    ids = [_commit_event(n) for n in range(5)]
    assert wait_for(lambda: not relay._relay.thread.is_alive(), timeout=10), "the relay thread should die"
    dead = relay._relay.thread
    monkeypatch.undo()

    assert OutboxMessage.objects.filter(pk__in=ids, published_at__isnull=True).count() == 5  # nothing lost
    assert _taken(settings.CELERY_BROKER_URL) == Counter()  # and nothing sent

    assert outbox_sweep(older_than=timedelta(0)) == 5
    assert _all_published(ids)
    expected = {(task, pk) for task in SUBSCRIBERS for pk in ids}
    assert _taken_until(settings.CELERY_BROKER_URL, expected) == Counter(dict.fromkeys(expected, 1))

    later = _commit_event(99)  # the next hand-off starts a new relay thread
    assert wait_for(lambda: _all_published([later]), timeout=10)
    assert relay._current().thread is not dead


def test_rows_of_a_rolled_back_transaction_or_savepoint_are_never_published(subscriber_queue, settings):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        outbox_publish(topic=TOPIC, key="rolled-back", payload={})
        raise Abort
    with transaction.atomic():
        kept = outbox_publish(topic=TOPIC, key="kept", payload={}).pk
        with pytest.raises(Abort), transaction.atomic():
            outbox_publish(topic=TOPIC, key="savepoint-rolled-back", payload={})
            raise Abort

    assert wait_for(lambda: _all_published([kept]), timeout=10)
    assert outbox_sweep(older_than=timedelta(0)) == 0
    assert list(OutboxMessage.objects.filter(topic=TOPIC).values_list("key", flat=True)) == ["kept"]
    time.sleep(0.5)
    assert _taken(settings.CELERY_BROKER_URL) == Counter({(task, kept): 1 for task in SUBSCRIBERS})


def test_inline_mode_publishes_before_the_commit_returns(subscriber_queue, settings):
    settings.OUTBOX_RELAY = "inline"
    pk = _commit_event(1)
    assert _all_published([pk])  # no waiting: handed over in the committing thread
    expected = {(task, pk) for task in SUBSCRIBERS}
    assert _taken_until(settings.CELERY_BROKER_URL, expected) == Counter(dict.fromkeys(expected, 1))


def test_the_embedded_mode_delivers_in_process_at_commit(subscriber_queue, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # tasks run in-process: nothing for a relay to send
    pk = _commit_event(2)
    assert _all_published([pk])
    assert _taken(settings.CELERY_BROKER_URL) == Counter()


def test_relayed_messages_carry_the_log_context_of_the_request_that_committed_them(subscriber_queue, settings):
    import structlog

    from core.logging import LOG_CONTEXT_HEADER

    with structlog.contextvars.bound_contextvars(request_id="relay-ctx-0001", user_id=7):
        pk = _commit_event(3)
    assert wait_for(lambda: _all_published([pk]), timeout=10)
    headers = []
    with Connection(settings.CELERY_BROKER_URL) as conn:
        queue = Queue(QUEUE, no_declare=True).bind(conn.default_channel)
        deadline = time.monotonic() + 10
        while len(headers) < len(SUBSCRIBERS) and time.monotonic() < deadline:
            if (message := queue.get(no_ack=False)) is not None:
                headers.append(message.headers.get(LOG_CONTEXT_HEADER))
                message.ack()
    assert headers == [{"request_id": "relay-ctx-0001", "user_id": 7}] * len(SUBSCRIBERS)


def test_events_no_task_subscribes_to_are_handed_over_even_while_the_broker_is_down(subscriber_queue, settings):
    """An event nobody subscribes to has nothing to send: the relay marks it handed over without
    the broker, while an event with subscribers committed beside it waits for the sweep."""
    with broker_unreachable():
        with transaction.atomic():
            unheard = outbox_publish(topic="relaytest.unheard", key="unheard", payload={}).pk
        subscribed = _commit_event(1)

    rows = OutboxMessage.objects.in_bulk([unheard, subscribed])
    assert rows[unheard].published_at is not None and rows[unheard].last_error == ""
    assert rows[subscribed].published_at is None and "Connection refused" in rows[subscribed].last_error

    assert outbox_sweep(older_than=timedelta(0)) == 1  # the broker is back: only the subscribed one went
    assert _taken_until(settings.CELERY_BROKER_URL, {(task, subscribed) for task in SUBSCRIBERS}) == Counter(
        {(task, subscribed): 1 for task in SUBSCRIBERS})


@pytest.mark.parametrize("linger_seconds, claims", [(1.0, 1), (0.0, 3)])
def test_a_stream_of_commits_shares_one_claim_within_the_relays_linger(subscriber_queue, settings,
                                                                       linger_seconds, claims):
    """Rows claimed together get one ``published_at``: while commits keep coming the relay lingers
    after the first id, so that they share a claim (without the linger, the control: one each)."""
    settings.OUTBOX_RELAY_LINGER_SECONDS = linger_seconds
    primer = _commit_event(-1)  # the stream begins: the relay has just handed a batch over
    assert wait_for(lambda: _all_published([primer]), timeout=10)
    ids = []
    for n in range(3):
        ids.append(_commit_event(n))
        time.sleep(0.2)
    assert wait_for(lambda: _all_published(ids), timeout=10)

    claimed_at = set(OutboxMessage.objects.filter(pk__in=ids).values_list("published_at", flat=True))
    assert len(claimed_at) == claims
    expected = {(task, pk) for task in SUBSCRIBERS for pk in [primer, *ids]}
    assert _taken_until(settings.CELERY_BROKER_URL, expected) == Counter(dict.fromkeys(expected, 1))


def test_a_commit_after_a_quiet_spell_is_handed_over_without_waiting_for_the_linger(subscriber_queue, settings):
    settings.OUTBOX_RELAY_LINGER_SECONDS = 1.0
    relay.flush()
    time.sleep(4.2)  # more than four lingers since the relay's last batch: no stream
    committed = time.monotonic()
    lone = _commit_event(1)
    assert wait_for(lambda: _all_published([lone]), timeout=10, every=0.02)

    assert time.monotonic() - committed < 0.8  # a lingering relay would have waited a whole second
    expected = {(task, lone) for task in SUBSCRIBERS}
    assert _taken_until(settings.CELERY_BROKER_URL, expected) == Counter(dict.fromkeys(expected, 1))
