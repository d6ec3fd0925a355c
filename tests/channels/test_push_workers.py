"""Availability going out through RabbitMQ and real workers, as in production: the outbox hands
``inventory.changed`` to a worker, a quiet listing's first change goes at once and the changes
made while a push is in flight go with the next one; with a coalescing window set, flushes wait
it out, and retries wait their delays (real countdowns, which eager tasks skip). The worker reads
its settings from the environment it starts with, so each test sets them there.

The single-date channel's batch is ``channels.flush_batched`` (beat is not running here: the tests
queue it themselves, as the beat's tick would once the batch is due).
"""
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings

from channels.models import ChannelBooking, DirtyMark, PendingChange, PushStep
from channels.services.pushing import push_dates
from channels.tasks import flush_batched, pull
from inventory.errors import InventoryError
from inventory.models import Hold
from tests.channels.domain import list_hotel, ota  # noqa: F401  (fixture)
from tests.channels.push_helpers import BULK, OTAS, days, everywhere, reserve, sandbox_calls, shown
from tests.channels.test_inbound_workers import settled_everywhere
from tests.fixtures.worker import wait_for, worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]
COALESCE_MS, RETRY_DELAYS = 3000, (0.5, 1.0, 1.5)  # a window a fresh worker cannot miss


@pytest.fixture
def worker_settings(monkeypatch):
    monkeypatch.setenv("CHANNEL_PUSH_COALESCE_MS", str(COALESCE_MS))
    monkeypatch.setenv("CHANNEL_PUSH_RETRY_DELAYS", ",".join(map(str, RETRY_DELAYS)))
    monkeypatch.setenv("CHANNEL_PUSH_BATCH_SECONDS", "0")  # Agoda's batch is due at the next tick


@pytest.fixture
def worker(worker_settings, celery_worker):
    return celery_worker


def steps_done(listing) -> bool:
    return PushStep.objects.filter(listing=listing).exists() and not PushStep.objects.filter(
        listing=listing, status__in=[PushStep.Status.QUEUED, PushStep.Status.RETRYING]).exists()


@pytest.fixture
def push_worker(django_db_setup, django_db_blocker, artifacts_dir):
    """A worker on every queue with the threads of the Procfile's ``channel-push`` worker (16), so
    that four pushes in flight leave threads for the next changes."""
    with worker_process(queues=list(settings.TASK_QUEUES), purge=("dead-letter",), name="push", concurrency=16,
                        log_path=artifacts_dir / "celery-push.log", django_db_blocker=django_db_blocker) as app:
        yield app


def test_a_quiet_listings_first_change_goes_at_once_and_those_made_during_its_push_go_next_together(
        push_worker, ota):
    # given: the default (no coalescing window) and a channel taking 3 s a call
    hotel = list_hotel(total=3)
    ota.configure(latency_range_ms=[3000, 3000])
    bulk = [hotel.listings[c] for c in BULK]

    # when: one booking, then four more while its push is on the way
    reserve(hotel, days(10))
    assert wait_for(lambda: all(PushStep.objects.filter(listing=listing).exists() for listing in bulk), timeout=10)
    for i in range(1, 5):
        reserve(hotel, days(10 + i))
    assert wait_for(lambda: PendingChange.objects.filter(listing__in=bulk).count() == 4 * len(bulk), timeout=10)
    assert not PushStep.objects.filter(listing__in=bulk, finished_at__isnull=False).exists()  # still in flight

    # then: the first went alone, without waiting for the others; those four went together next
    def all_shown():
        return all(shown(ota, c, days(10 + i)) == 2 for c in BULK for i in range(5))

    assert wait_for(all_shown, timeout=30)
    assert wait_for(lambda: all(steps_done(listing) for listing in bulk), timeout=10)
    for listing in bulk:
        steps = PushStep.objects.filter(listing=listing).order_by("created_at")
        assert [(len(s.dates[str(hotel.room_type.pk)]), s.calls) for s in steps] == [(1, 1), (4, 1)], (
            listing.channel.code, [(s.status, s.dates, s.calls, s.error) for s in steps])


def test_with_a_coalescing_window_a_burst_of_ten_bookings_is_one_call_per_bulk_channel_and_one_agoda_batch(
        worker, ota):
    # given: three rooms a night on five channels
    hotel = list_hotel(total=3)
    nights = [days(10 + i) for i in range(5)]

    # when: ten bookings within a second, two on each of five nights
    started = time.monotonic()
    for i in range(10):
        reserve(hotel, nights[i % 5], source=OTAS[i % 5])
    burst = time.monotonic() - started
    assert burst < 1.0, burst

    # then: each bulk channel got the ten as one push, one call
    assert wait_for(lambda: all(steps_done(hotel.listings[c]) for c in BULK), timeout=30)
    for channel in BULK:
        steps = list(PushStep.objects.filter(listing=hotel.listings[channel]))
        assert [(s.status, s.calls) for s in steps] == [(PushStep.Status.SENT, 1)], (
            channel, burst, [(s.dates, s.changed_at, s.created_at) for s in steps])
        assert [shown(ota, channel, night) for night in nights] == [1] * 5, channel
    assert sandbox_calls(ota) == len(BULK)

    # when: Agoda's batch goes
    flush_batched.delay()

    # then: one step for every change, one call per night (its API's way)
    assert wait_for(lambda: steps_done(hotel.listings["agoda"]), timeout=30)
    step = PushStep.objects.get(listing=hotel.listings["agoda"])
    assert (step.status, step.calls) == (PushStep.Status.SENT, len(nights))
    assert [shown(ota, "agoda", night) for night in nights] == [1] * 5
    assert sandbox_calls(ota) == len(BULK) + len(nights)


@pytest.fixture
def expedia_down(monkeypatch):
    monkeypatch.setenv("CHANNEL_EXPEDIA_URL", "http://127.0.0.1:9/expedia")  # nothing listens there


def test_a_channel_that_is_down_is_retried_at_the_configured_delays_then_marked_dirty(
        worker_settings, expedia_down, celery_worker, ota):
    # given
    hotel = list_hotel(total=3)
    listing = hotel.listings["expedia"]

    # when: a room is sold while Expedia is unreachable
    reserve(hotel, days(10), nights=2)

    # then: the others show it at once; Expedia is tried four times over the delays, then dirty
    assert wait_for(lambda: all(shown(ota, c, days(10)) == 2 for c in BULK if c != "expedia"), timeout=30)
    assert wait_for(lambda: steps_done(listing), timeout=30)
    step = PushStep.objects.get(listing=listing)
    assert (step.status, step.attempts) == (PushStep.Status.GAVE_UP, 1 + len(RETRY_DELAYS))
    took = (step.finished_at - step.created_at).total_seconds()
    assert sum(RETRY_DELAYS) <= took < sum(RETRY_DELAYS) + 5, took
    mark = DirtyMark.objects.get(listing=listing)
    assert (mark.room_type_id, mark.start, mark.end, mark.cleared_at) == (hotel.room_type.pk, days(10), days(11), None)
    assert shown(ota, "expedia", days(10)) is None

    # when: the same nights are pushed again once it answers (here from the test process,
    # whose settings point at the sandbox: a reconciliation's repair)
    push_dates(listing=listing, dates={hotel.room_type.pk: [days(10), days(11)]}, kind=PushStep.Kind.RECONCILE)

    # then
    assert [shown(ota, "expedia", d) for d in (days(10), days(11))] == [2, 2]
    mark.refresh_from_db()
    assert mark.cleared_at is not None


@pytest.fixture
def workers(worker, django_db_blocker, artifacts_dir):
    """The task worker (every queue) and one single-threaded consumer of the inventory shards."""
    with worker_process(queues=list(settings.INVENTORY_SHARD_QUEUES), name="push-shards", pool="solo",
                        concurrency=1, log_path=artifacts_dir / "celery-push-shards.log",
                        django_db_blocker=django_db_blocker):
        yield worker


@pytest.fixture
def site(ota, live_server):
    for code in ("booking_com", "expedia", "agoda"):
        ota.webhooks_to(code, f"{live_server.url}/channels/webhooks/{code}/",
                        settings.CHANNEL_APIS[code]["webhook_secret"])
    return live_server


def test_after_six_sources_race_for_the_last_room_every_channel_shows_it_sold_out(workers, site, ota):
    # given: the last room of a night, on five OTAs and our own site
    hotel = list_hotel(total=1)
    night = days(12)
    reservations, direct = {}, {}

    def from_ota(code):
        reservations[code] = ota.book(code, night, night + timedelta(days=1))
        if code in ("traveloka", "trip_com"):  # polled: the next poll comes now
            pull.delay(listing_id=hotel.listings[code].pk)

    def from_our_site():
        try:
            direct["hold"] = reserve(hotel, night, source="web")
        except InventoryError as exc:
            direct["refused"] = exc.message

    # when: all six at once
    threads = [threading.Thread(target=from_ota, args=(code,)) for code in OTAS]
    threads.append(threading.Thread(target=from_our_site))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then: one stands, and every channel shows the night sold out (Agoda without its batch: a close-out)
    assert wait_for(lambda: settled_everywhere(reservations), timeout=60)
    assert Hold.objects.filter(room_type=hotel.room_type, status="held").count() == 1
    assert ChannelBooking.objects.filter(status="held").count() + ("hold" in direct) == 1
    assert wait_for(lambda: everywhere(ota, night) == dict.fromkeys(OTAS, 0), timeout=30), everywhere(ota, night)
    assert everywhere(ota, night + timedelta(days=1)) == dict.fromkeys(OTAS, None)
