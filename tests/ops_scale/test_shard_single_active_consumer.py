"""Two machines run the same Procfile: two consumers on one inventory shard queue.

A shard queue exists so that requests for the same room-nights are processed one after
another; two consumers taking turns would process them side by side again. With RabbitMQ's
single active consumer the second consumer is a hot standby: it receives nothing until the
active one is gone, then takes the queue over.
"""
import re
import time

import pytest

from tests.fixtures.worker import wait_for
from tests.ops_scale.processes import kill, lines_with, process_env, processes

QUEUE = "inventory.shard.0"
TASK = "core.outbox_sweep"  # any quick, harmless task: what matters is who receives it

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]


def _delete_queue():
    from travel.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(QUEUE)


@pytest.fixture
def fresh_shard_queue():
    """The shard queue declared afresh by the workers of this test (with this test's arguments)."""
    _delete_queue()
    yield
    _delete_queue()


def _send(count: int) -> set[str]:
    """Publish straight to the shard exchange, as the intake does, without declaring the queue here
    (the workers declare it with the arguments they were started with). Returns the task ids."""
    from travel.celery import app

    return {app.send_task(TASK, exchange="inventory.shards", routing_key=QUEUE).id for _ in range(count)}


def _start_shard_worker(start, name, log_path, env):
    from travel.celery import app

    node = f"{name}-{time.monotonic_ns()}@ops-scale"
    process = start(["celery", "-A", "travel", "worker", "-Q", QUEUE, "-P", "solo", "--prefetch-multiplier", "1",
                     "--without-gossip", "--without-mingle", "-l", "info", "-n", node], log_path, env)
    assert wait_for(lambda: app.control.ping(destination=[node], timeout=0.5) or process.poll() is not None,
                    timeout=60) and process.poll() is None, f"shard worker {name} did not start; see {log_path}"
    return process


def _task_ids(log_path, verb: str = "received") -> set[str]:
    logged = re.compile(rf"Task {re.escape(TASK)}\[([^\]]+)\] {verb}")
    return {match.group(1) for line in lines_with(log_path, f"Task {TASK}[") if (match := logged.search(line))}


def _received(log_path, verb: str = "received") -> int:
    return len(_task_ids(log_path, verb))


def test_a_second_shard_consumer_is_a_hot_standby(fresh_shard_queue, django_db_blocker, tmp_path):
    env = process_env(django_db_blocker)
    first_log, second_log = tmp_path / "shard-first.log", tmp_path / "shard-second.log"
    with processes() as start:
        # given the same shard line running on two machines, the first one up first
        first = _start_shard_worker(start, "shard0-a", first_log, env)
        _start_shard_worker(start, "shard0-b", second_log, env)

        # when requests arrive on the shard
        earlier = _send(8)

        # then one consumer gets them all, and the other gets none
        assert wait_for(lambda: _task_ids(first_log) == earlier, timeout=30), (_received(first_log), _received(second_log))
        time.sleep(1)
        assert _received(second_log) == 0

        # when the active consumer's machine dies after its work is done and acknowledged (a task
        # it was still running, or had not yet acknowledged, would rightly go to the standby too:
        # the ack follows the "succeeded" line), the standby takes the queue over
        assert wait_for(lambda: _task_ids(first_log, "succeeded") == earlier, timeout=30)
        time.sleep(2)
        kill(first)
        later = _send(5)
        assert wait_for(lambda: _task_ids(second_log) >= later, timeout=30), _received(second_log)
        assert _task_ids(second_log) == later, f"redelivered to the standby: {_task_ids(second_log) & earlier}"
        assert _task_ids(first_log) == earlier


def test_without_single_active_consumer_both_consumers_take_turns(fresh_shard_queue, django_db_blocker, tmp_path):
    """The negative control: the same two workers on a queue declared without the argument share
    its messages, so requests for the same room-nights would run side by side."""
    env = process_env(django_db_blocker, INVENTORY_SHARD_SINGLE_ACTIVE_CONSUMER="0")
    first_log, second_log = tmp_path / "shard-first.log", tmp_path / "shard-second.log"
    with processes() as start:
        _start_shard_worker(start, "shard0-a", first_log, env)
        _start_shard_worker(start, "shard0-b", second_log, env)

        _send(8)

        assert wait_for(lambda: _received(first_log) + _received(second_log) == 8, timeout=30)
        assert _received(first_log) > 0 and _received(second_log) > 0
