"""One celery beat at a time, however many machines run the Procfile.

``SingleBeatScheduler`` is django-celery-beat's ``DatabaseScheduler`` that sends periodic tasks
only while it holds a Redis lock (redis-py's ``Lock``: a token under a key with a TTL). The
holder renews the lock on every tick, at least every third of ``BEAT_LOCK_TTL_SECONDS``; any
other beat is a hot standby that tries to take the lock as often, sending nothing. When the
holder dies the lock expires and a standby takes over within the TTL; a holder that stops
cleanly hands the lock back at once. A holder that cannot renew (Redis unreachable, lock lost)
stops sending at once: two beats never send together, at worst none sends for a TTL.

On taking over, a standby re-reads the schedule from the database, where the previous holder
recorded each send (``CELERY_BEAT_SYNC_EVERY = 1``), so nothing due is sent twice.

A standby writes nothing to the schedule's tables. A beat writes the project's schedule into
them when it starts; done by a standby, that write tells the sending beat that the schedule
changed, and the sending beat re-reads it. A send not yet recorded at that moment could then be
read back as still due and sent again; this happened 52 ms after a send. So a beat writes the
project's schedule only when it takes the lock, before it sends anything.

Without ``REDIS_URL`` there is nothing to share a lock through: it runs as the plain
``DatabaseScheduler`` and logs that a second beat would send everything twice.
"""
import logging

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)


def lock_key() -> str:
    return f"{settings.CACHE_KEY_PREFIX}:celery-beat-leader"


class SingleBeatScheduler(DatabaseScheduler):
    """The database scheduler, ticking only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock_ttl = settings.BEAT_LOCK_TTL_SECONDS
        self.leading = False
        self.lock = self._make_lock()
        super().__init__(*args, **kwargs)

    def _make_lock(self):
        if not settings.REDIS_URL:
            logger.warning("beat: no REDIS_URL, so no lock: run exactly one beat, a second would send every task twice")
            return None
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        return client.lock(lock_key(), timeout=self.lock_ttl, thread_local=False)

    def setup_schedule(self):
        """Called when the beat starts. With a lock the project's schedule is written only on
        taking it over (``take_over``); a beat without a lock writes it now, as django-celery-beat does."""
        if self.lock is None:
            super().setup_schedule()

    @property
    def renew_every(self) -> float:
        return self.lock_ttl / 3

    def tick(self, *args, **kwargs):
        if self.lock is None:
            return super().tick(*args, **kwargs)
        if not self.hold_lock():
            return self.renew_every
        return min(super().tick(*args, **kwargs), self.renew_every)

    def hold_lock(self) -> bool:
        """Renew the lock if held, else try to take it; True while this beat may send."""
        try:
            if self.leading:
                self.lock.reacquire()
                return True
            if self.lock.acquire(blocking=False):
                self.take_over()
                return True
        except (LockError, RedisError) as exc:
            if self.leading:
                logger.error("beat: lost the beat lock (%s): standing by, sending nothing", exc)
        self.leading = False
        return False

    def take_over(self) -> None:
        logger.info("beat: took the beat lock %s; this beat sends the periodic tasks now", lock_key())
        self.leading = True
        super().setup_schedule()  # the project's schedule into the database, as a beat does at start
        self._schedule = self.all_as_schedule()  # with what the last holder sent, from the database
        self._heap = None

    def close(self):
        super().close()
        if self.lock is not None and self.leading:
            try:
                self.lock.release()
                logger.info("beat: handed the beat lock back")
            except (LockError, RedisError):
                pass
            self.leading = False
