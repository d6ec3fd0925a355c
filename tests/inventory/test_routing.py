"""Channel requests are routed by a consistent hash, and a retry stays on its shard."""
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from inventory.models import ChannelRequest, RoomNight
from inventory.routing import routing_key, shard_for, shard_queue
from inventory.services import channel_request_submit
from inventory.stays import Stay
from tests.concurrency import row_locked
from tests.factories import sellable_room_type
from tests.fixtures.worker import wait_for


def test_the_same_inventory_always_maps_to_the_same_shard_and_keys_spread_evenly():
    keys = [routing_key(property_id=p, room_type_id=p * 10 + r, night=date(2027, 1, 1) + timedelta(days=d))
            for p in range(20) for r in range(3) for d in range(60)]

    shards = [shard_for(k, 4) for k in keys]

    assert shards == [shard_for(k, 4) for k in keys]
    counts = Counter(shards)
    assert set(counts) == {0, 1, 2, 3}
    assert max(counts.values()) < 1.2 * len(keys) / 4


def test_adding_a_shard_moves_only_about_one_key_in_five():
    keys = [f"1.2.{date(2027, 1, 1) + timedelta(days=d)}" for d in range(3000)]

    moved = sum(shard_for(k, 4) != shard_for(k, 5) for k in keys)

    assert 0.15 < moved / len(keys) < 0.25  # a modulo hash would move ~80%
    assert all(shard_for(k, 5) == 4 for k in keys if shard_for(k, 4) != shard_for(k, 5))


@pytest.mark.django_db
def test_a_channel_request_is_decided_once_in_the_embedded_mode(django_capture_on_commit_callbacks, eager_tasks):
    room_type, _, _ = sellable_room_type(total=1)
    stay = Stay(timezone.localdate() + timedelta(days=2), timezone.localdate() + timedelta(days=4))

    with django_capture_on_commit_callbacks(execute=True):
        first = channel_request_submit(room_type=room_type, stay=stay, source="agoda", reference="AG-1")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = channel_request_submit(room_type=room_type, stay=stay, source="agoda", reference="AG-1")
    with django_capture_on_commit_callbacks(execute=True):
        other = channel_request_submit(room_type=room_type, stay=stay, source="airbnb", reference="AB-9")

    first.refresh_from_db()
    other.refresh_from_db()
    assert again.pk == first.pk and not callbacks  # the same reference is not queued twice
    assert (first.status, first.queues) == ("held", ["eager"])
    assert (other.status, other.outcome) == ("refused", f"Sold out on {stay.check_in:%d %b %Y}.")


@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_a_retried_channel_request_lands_on_the_shard_of_its_first_try(shard_worker):
    # given: another writer holds the night's row lock longer than reserve() will wait
    room_type, _, _ = sellable_room_type(total=2)
    stay = Stay(timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=5))
    expected = shard_queue(property_id=room_type.property_id, room_type_id=room_type.pk, night=stay.check_in)
    with row_locked(RoomNight.objects.filter(room_type=room_type, date=stay.check_in)):
        # when: the channel's request goes to its shard; its first try ends Busy and is retried
        request = channel_request_submit(room_type=room_type, stay=stay, source="expedia", reference="EX-77")
        assert wait_for(lambda: ChannelRequest.objects.get(pk=request.pk).queues, timeout=30)
        # the first try waits 4 x 500 ms for the lock, gives up with Busy and is sent again
        assert wait_for(lambda: len(ChannelRequest.objects.get(pk=request.pk).queues) >= 2, timeout=30)
    wait_for(lambda: ChannelRequest.objects.get(pk=request.pk).status != "pending", timeout=30)

    # then: held, after more than one try, every one on the first try's shard
    request.refresh_from_db()
    assert request.status == "held", request.outcome
    assert len(request.queues) >= 2
    assert set(request.queues) == {expected}
    assert RoomNight.objects.get(room_type=room_type, date=stay.check_in).available == 1


@pytest.mark.django_db
def test_a_request_whose_task_was_lost_is_queued_again_by_the_sweep(django_capture_on_commit_callbacks, settings):
    from datetime import timedelta as td

    from inventory.services.channel_requests import channel_requests_requeue

    room_type, _, _ = sellable_room_type(total=2)
    stay = Stay(timezone.localdate() + timedelta(days=2), timezone.localdate() + timedelta(days=3))
    from core.models import OutboxMessage
    from core.outbox import outbox_sweep

    with django_capture_on_commit_callbacks(execute=False):  # the broker was down: the task never left
        lost = channel_request_submit(room_type=room_type, stay=stay, source="trip_com", reference="TC-5")
    ChannelRequest.objects.filter(pk=lost.pk).update(created_at=timezone.now() - td(minutes=5))
    waiting = OutboxMessage.objects.filter(topic="task:inventory.channel_reserve", key="TC-5")
    assert channel_requests_requeue() == 0  # still waiting in the outbox: not queued twice
    waiting.update(published_at=timezone.now())  # handed over, then lost by the broker

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (tasks run in-process here)
    with django_capture_on_commit_callbacks(execute=True):
        assert channel_requests_requeue() == 1
    outbox_sweep(older_than=td(0))

    lost.refresh_from_db()
    assert lost.status == "held" and lost.queues == ["eager"]
    assert channel_requests_requeue() == 0


@pytest.mark.django_db
def test_a_request_still_busy_after_its_last_retry_is_refused_with_the_reason():
    from inventory.errors import Busy
    from inventory.tasks import channel_reserve

    room_type, _, _ = sellable_room_type(total=2)
    stay = Stay(timezone.localdate() + timedelta(days=2), timezone.localdate() + timedelta(days=3))
    request = ChannelRequest.objects.create(reference="BK-3", source="booking_com", room_type=room_type,
                                            check_in=stay.check_in, check_out=stay.check_out)

    channel_reserve.on_exhausted(exc=Busy("These rooms are in high demand right now."), args=(),
                                 kwargs={"request_id": request.pk})

    request.refresh_from_db()
    assert (request.status, request.outcome) == ("refused", "These rooms are in high demand right now.")


@pytest.mark.rabbitmq
@pytest.mark.django_db(transaction=True)
def test_a_channel_task_sent_without_a_queue_still_goes_to_its_shard(shard_worker):
    from inventory.tasks import channel_reserve

    room_type, _, _ = sellable_room_type(total=2)
    stay = Stay(timezone.localdate() + timedelta(days=6), timezone.localdate() + timedelta(days=7))
    request = ChannelRequest.objects.create(reference="EX-9", source="expedia", room_type=room_type,
                                            check_in=stay.check_in, check_out=stay.check_out)

    channel_reserve.delay(request_id=request.pk)  # no queue named: the general route would say "inventory"

    wait_for(lambda: ChannelRequest.objects.get(pk=request.pk).status != "pending", timeout=30)
    request.refresh_from_db()
    assert request.status == "held"
    assert request.queues == [shard_queue(property_id=room_type.property_id, room_type_id=room_type.pk,
                                          night=stay.check_in)]
