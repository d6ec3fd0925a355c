"""Two machines run the same Procfile: two celery beats.

Two beats on the plain database scheduler each send every periodic task (the negative control).
``core.beat.SingleBeatScheduler`` lets one send while the other stands by on a Redis lock, and
the standby takes over within the lock's TTL when the sender's machine dies.
"""
import time

import pytest

from tests.fixtures.worker import wait_for
from tests.ops_scale.processes import kill, lines_with, logged_at, process_env, processes

ENTRY = "channels-push-batched"  # every CHANNEL_PUSH_BATCH_TICK_SECONDS: 2 s here
INTERVAL = 2.0
LOCK_TTL = 4.0
SENT = f"Sending due task {ENTRY} "

pytestmark = [pytest.mark.rabbitmq, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def purge_push_queue():
    yield
    from travel.celery import app

    with app.connection_for_write() as conn:  # what the beats sent: no worker consumes it here
        try:
            conn.default_channel.queue_purge("channels.push")
        except conn.channel_errors:  # never declared on this vhost: nothing was kept
            pass


def _start_beat(start, log_path, env, scheduler):
    process = start(["celery", "-A", "travel", "beat", "-l", "info", "--max-interval", "1", "--scheduler", scheduler],
                    log_path, env)
    assert wait_for(lambda: lines_with(log_path, "beat: Starting...") or process.poll() is not None, timeout=60)
    assert process.poll() is None, log_path.read_text()
    return process


def _sends(*logs) -> list:
    return sorted(logged_at(line) for log in logs for line in lines_with(log, SENT))


def _env(django_db_blocker):
    return process_env(django_db_blocker, CHANNEL_PUSH_BATCH_TICK_SECONDS=str(INTERVAL),
                       BEAT_LOCK_TTL_SECONDS=str(LOCK_TTL))


def test_one_beat_sends_and_the_other_takes_over(django_db_blocker, tmp_path, purge_push_queue):
    env = _env(django_db_blocker)
    first_log, second_log = tmp_path / "beat-first.log", tmp_path / "beat-second.log"
    with processes() as start:
        # given two beats, as two machines running the same Procfile
        first = _start_beat(start, first_log, env, "core.beat:SingleBeatScheduler")
        assert wait_for(lambda: _sends(first_log), timeout=20), first_log.read_text()
        second = _start_beat(start, second_log, env, "core.beat:SingleBeatScheduler")

        # when both run for a while
        time.sleep(5 * INTERVAL)

        # then the periodic task went out once per interval, from one beat only
        sends = _sends(first_log, second_log)
        assert _sends(second_log) == []
        gaps = [(b - a).total_seconds() for a, b in zip(sends, sends[1:], strict=False)]
        assert len(sends) >= 5 and min(gaps) > INTERVAL * 0.75, gaps

        # when the sending beat's machine dies (no clean hand-back)
        kill(first)
        killed_at = time.monotonic()

        # then the standby sends within the lock's TTL (plus its one-second tick)
        assert wait_for(lambda: _sends(second_log), timeout=LOCK_TTL + 10), second_log.read_text()
        took_over_after = time.monotonic() - killed_at
        assert took_over_after <= LOCK_TTL + INTERVAL + 1.5, took_over_after
        assert lines_with(second_log, "took the beat lock")

        # and a beat stopped cleanly hands the lock back at once (no wait for the TTL)
        assert _lock_holder()
        second.terminate()
        second.wait(timeout=20)
        assert not _lock_holder()


def _lock_holder():
    import redis
    from django.conf import settings

    from core.beat import lock_key

    return redis.Redis.from_url(settings.REDIS_URL).get(lock_key())


def test_two_plain_database_schedulers_send_everything_twice(django_db_blocker, tmp_path, purge_push_queue):
    """The negative control: django-celery-beat's scheduler alone, on two machines."""
    env = _env(django_db_blocker)
    first_log, second_log = tmp_path / "beat-first.log", tmp_path / "beat-second.log"
    with processes() as start:
        _start_beat(start, first_log, env, "django_celery_beat.schedulers:DatabaseScheduler")
        _start_beat(start, second_log, env, "django_celery_beat.schedulers:DatabaseScheduler")

        time.sleep(4 * INTERVAL)

        assert _sends(first_log) and _sends(second_log)
