"""Make the broker unreachable for the code under test (this process only), for real: the
Celery app publishes to a closed loopback port, so every publish fails the way it does when
RabbitMQ is down. Workers started before keep their own connection to the real broker."""
import socket
from contextlib import contextmanager

from kombu import Connection, Queue


def closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there afterwards
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def broker_unreachable():
    from travel.celery import app

    saved = app.conf.broker_write_url, app._pool, app.amqp._producer_pool
    app.conf.broker_write_url = f"amqp://guest:guest@127.0.0.1:{closed_port()}//"
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
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
