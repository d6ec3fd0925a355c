"""A booking, its modification and its cancellation through the real hash-routed path: RabbitMQ,
the shard queues and a single-threaded worker on them, writing to PostgreSQL."""
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import ChannelRequest, Hold, RoomNight
from inventory.routing import shard_queue
from inventory.services import channel_request_submit
from inventory.stays import Stay
from tests.factories import sellable_room_type
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def decided(request: ChannelRequest) -> ChannelRequest:
    assert wait_for(lambda: ChannelRequest.objects.get(pk=request.pk).status != "pending", timeout=30), \
        f"{request.reference} was not decided"
    request.refresh_from_db()
    return request


def available(room_type) -> dict[int, int]:
    return {(n.date - day(0)).days: n.available for n in RoomNight.objects.filter(room_type=room_type)}


def test_a_booking_is_modified_then_cancelled_each_on_its_shard(shard_worker):
    room_type, _, _ = sellable_room_type(total=2)

    def shard(night):
        return shard_queue(property_id=room_type.property_id, room_type_id=room_type.pk, night=night)

    # given: a channel booking for the nights of days 4 and 5
    booking = decided(channel_request_submit(room_type=room_type, stay=Stay(day(4), day(6)), source="expedia",
                                             reference="EX-500"))
    assert booking.status == "held", booking.outcome
    hold = booking.hold

    # when: it moves to days 5-7 with two rooms
    modify = decided(channel_request_submit(room_type=room_type, stay=Stay(day(5), day(8), rooms=2, guests=2),
                                            source="expedia", reference="EX-500/2", kind="modify", replaces=hold))

    # then: held on the shard of its new first night, on the same hold
    assert (modify.status, modify.hold_id, modify.queues) == ("held", hold.pk, [shard(day(5))]), modify.outcome
    assert [available(room_type)[d] for d in (4, 5, 6, 7)] == [2, 0, 0, 0]

    # when: the channel cancels it (its message still names the original dates)
    cancel = decided(channel_request_submit(room_type=room_type, stay=Stay(day(4), day(6)), source="expedia",
                                            reference="EX-500/x", kind="cancel", replaces=hold))

    # then: released on the shard of the hold's check-in, every night back
    assert (cancel.status, cancel.hold_id, cancel.queues) == ("released", hold.pk, [shard(day(5))])
    assert [available(room_type)[d] for d in (4, 5, 6, 7)] == [2, 2, 2, 2]
    hold.refresh_from_db()
    assert (hold.status, hold.check_in, hold.check_out, hold.rooms) == (Hold.Status.RELEASED, day(5), day(8), 2)
