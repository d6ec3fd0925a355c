"""The channel manager's periodic work, run by a real celery beat and a real worker: polled
channels are read every CHANNEL_POLL_SECONDS, the single-date channel's batch is pushed once due
(looked for every CHANNEL_PUSH_BATCH_TICK_SECONDS, shown within CHANNEL_PUSH_BATCH_SECONDS), and
every listing is reconciled every CHANNEL_RECONCILE_SECONDS (short intervals here; 60 s, 1 s,
30 s and 15 min by default)."""
from datetime import timedelta

import pytest
from django.utils import timezone

from channels.adapters import adapter_for
from channels.adapters.base import Update
from channels.models import ChannelBooking, ReconciliationReport
from inventory.models import RoomNight
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.channels.domain import RATE_CODE, ROOM_CODE, list_hotel, ota  # noqa: F401  (fixture)
from tests.fixtures.worker import beat_process, wait_for, worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]
SHORT = {"CHANNEL_POLL_SECONDS": "2", "CHANNEL_PUSH_BATCH_SECONDS": "2", "CHANNEL_RECONCILE_SECONDS": "4"}


@pytest.fixture
def short_batch(monkeypatch):
    """The worker decides when a batch is due: it starts with the short batch too."""
    monkeypatch.setenv("CHANNEL_PUSH_BATCH_SECONDS", SHORT["CHANNEL_PUSH_BATCH_SECONDS"])


def agoda_shows(listing, day) -> int | None:
    shown = adapter_for("agoda").read_back(hotel_code=listing.hotel_code, room_code=ROOM_CODE, start=day, end=day)
    return next((u.available for u in shown if u.rate_code in (RATE_CODE, "")), None)


@pytest.fixture
def shards(django_db_blocker, artifacts_dir):
    from django.conf import settings

    with worker_process(queues=list(settings.INVENTORY_SHARD_QUEUES), name="beat-shards", pool="solo",
                        concurrency=1, log_path=artifacts_dir / "celery-beat-shards.log",
                        django_db_blocker=django_db_blocker):
        yield


def test_beat_polls_batches_and_reconciles(short_batch, celery_worker, shards, django_db_blocker, artifacts_dir, ota):
    hotel = list_hotel(total=4, days=20)
    day = timezone.localdate() + timedelta(days=6)
    agoda = hotel.listings["agoda"]
    # the Agoda-like channel shows 9 rooms on a night we have 4 of (its own drift)
    adapter_for("agoda").push(hotel_code=agoda.hotel_code, updates=[Update(
        room_code=ROOM_CODE, rate_code=RATE_CODE, start=day + timedelta(days=5), end=day + timedelta(days=5),
        available=9)])
    polled = ota.book("traveloka", day, day + timedelta(days=1))

    with beat_process(log_path=artifacts_dir / "celery-beat.log", django_db_blocker=django_db_blocker, env=SHORT):
        inventory_reserve(room_type=hotel.room_type, stay=Stay(day + timedelta(days=1), day + timedelta(days=2)),
                          source="web", reference="beat-test")

        def polled_in():
            return ChannelBooking.objects.filter(reservation_id=polled, status="held").exists()

        assert wait_for(polled_in, timeout=30), "the polled reservation never came in"
        assert wait_for(lambda: agoda_shows(agoda, day + timedelta(days=1)) == 3, timeout=30), \
            "the booking never reached the batched channel"
        assert wait_for(lambda: ReconciliationReport.objects.filter(listing=agoda, outcome="repaired").exists(),
                        timeout=40), "no reconciliation repaired the drift"
        assert wait_for(lambda: agoda_shows(agoda, day + timedelta(days=5)) == 4, timeout=10)
    assert RoomNight.objects.get(room_type=hotel.room_type, date=day).available == 3
