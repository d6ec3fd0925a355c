"""A standby beat writes nothing to the schedule's tables until it takes the beat lock.

Its write would tell the sending beat that the schedule changed, and the sending beat would
re-read it: a send not yet recorded could be read back as due and go out twice (seen in
tests/ops_scale/test_single_beat.py, two sends 52 ms apart). The two-process behaviour is
tested there; this is the mechanism, one step at a time.
"""
import pytest
import redis
from django.conf import settings

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PROJECT_ENTRY = "channels-push-batched"  # one of CELERY_BEAT_SCHEDULE's entries


@pytest.fixture
def other_beat_holds_the_lock():
    from core.beat import lock_key

    lock = redis.Redis.from_url(settings.REDIS_URL).lock(lock_key(), timeout=30, thread_local=False)
    assert lock.acquire(blocking=True, blocking_timeout=10)
    yield lock
    if lock.owned():
        lock.release()


def _schedule_rows() -> tuple:
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    return tuple(PeriodicTask.objects.order_by("name").values_list("name", "last_run_at")), PeriodicTasks.last_change()


def test_a_standby_beat_writes_the_schedule_only_when_it_takes_the_lock(other_beat_holds_the_lock):
    from django_celery_beat.models import PeriodicTask

    from core.beat import SingleBeatScheduler
    from travel.celery import app

    before = _schedule_rows()
    # given a beat that starts while another holds the lock
    standby = SingleBeatScheduler(app=app)
    try:
        # then it stands by and has written nothing
        assert standby.hold_lock() is False
        assert _schedule_rows() == before

        # when the other beat hands the lock back, the standby takes over and writes the schedule
        other_beat_holds_the_lock.release()
        assert standby.hold_lock() is True
        assert PeriodicTask.objects.filter(name=PROJECT_ENTRY, enabled=True).exists()
        assert PROJECT_ENTRY in standby.schedule
    finally:
        standby.close()
