"""Make the broker unreachable for the code under test (this process only), for real: the
Celery app publishes to a closed loopback port, so every publish fails the way it does when
RabbitMQ is down. Workers started before keep their own connection to the real broker."""
import socket
from contextlib import contextmanager

from kombu import Connection, Queue

from core import relay


def closed_port() -> int:
    """A loopback port nobody listens on: a privileged one (a random free port could be taken
    by a sandbox of another test run in the meantime)."""
    for port in (1, 3, 7, 9):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no closed loopback port found")


@contextmanager
def broker_unreachable():
    from travel.celery import app

    saved = app.conf.broker_write_url, app._pool, app.amqp._producer_pool
    app.conf.broker_write_url = f"amqp://guest:guest@127.0.0.1:{closed_port()}//"
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
        relay.flush()  # the outbox rows committed meanwhile are tried while the broker is down
    finally:
        app.conf.broker_write_url, app._pool, app.amqp._producer_pool = saved


def drain_task_ids(broker_url: str, queue_name: str) -> list[str]:
    """Take every message out of ``queue_name`` (without declaring it: a queue that does not
    exist holds nothing) and return their task ids."""
    ids = []
    with Connection(broker_url) as conn:
        queue = Queue(queue_name, no_declare=True).bind(conn.default_channel)
        try:
            queue.queue_declare(passive=True)
        except conn.channel_errors:
            return ids
        while (message := queue.get(no_ack=False)) is not None:
            ids.append(message.headers.get("id"))
            message.ack()
    return ids
