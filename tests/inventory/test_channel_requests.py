"""The channel intake takes modifications and cancellations as well as new reservations: each
decided in one step on its shard, once, and announced to the channel manager."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutboxMessage
from inventory.models import ChannelRequest, Hold, RoomNight
from inventory.routing import shard_queue
from inventory.services import channel_request_submit
from inventory.services.channel_requests import channel_request_queue, channel_requests_requeue
from inventory.stays import Stay
from inventory.tasks import channel_reserve
from tests.factories import sellable_room_type

pytestmark = pytest.mark.django_db


def day(n: int):
    return timezone.localdate() + timedelta(days=n)


def stay(first: int, last: int, rooms: int = 1) -> Stay:
    return Stay(day(first), day(last), rooms=rooms, guests=rooms)


def nights(room_type) -> dict:
    return {(n.date - day(0)).days: (n.available, n.version) for n in RoomNight.objects.filter(room_type=room_type)}


def decision(reference: str) -> tuple[str, dict]:
    """The one decision event published for a request: (topic, payload)."""
    events = list(OutboxMessage.objects.filter(topic__startswith="inventory.channel_request.", key=reference))
    assert len(events) == 1, events
    return events[0].topic, events[0].payload


@pytest.fixture
def submit(eager_tasks, django_capture_on_commit_callbacks):
    """Submit as the channel manager does and let the task run (in-process) once it commits."""
    def submit(**kwargs) -> ChannelRequest:
        with django_capture_on_commit_callbacks(execute=True):
            request = channel_request_submit(**kwargs)
        request.refresh_from_db()
        return request
    return submit


@pytest.fixture
def booked(submit):
    """A room type with 2 rooms a night and a channel booking for the nights of days 10-12."""
    room_type, _, _ = sellable_room_type(total=2)
    request = submit(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-100")
    assert request.status == "held", request.outcome
    return room_type, request.hold


def test_a_modification_moves_the_booking_on_the_same_hold_and_tells_the_channel(booked, submit):
    room_type, hold = booked
    before = nights(room_type)

    request = submit(room_type=room_type, stay=stay(11, 15), source="booking_com", reference="BK-100/2",
                     kind="modify", replaces=hold)

    assert (request.status, request.kind, request.hold_id, request.queues) == ("held", "modify", hold.pk, ["eager"])
    hold.refresh_from_db()
    assert (hold.check_in, hold.check_out) == (day(11), day(15))
    after = nights(room_type)
    assert after[11] == before[11] and after[12] == before[12]
    assert [after[d][0] for d in (10, 13, 14)] == [2, 1, 1]
    assert list(hold.channel_requests.order_by("pk").values_list("reference", flat=True)) == ["BK-100", "BK-100/2"]
    topic, payload = decision("BK-100/2")
    assert topic == "inventory.channel_request.held"
    assert payload == {"reference": "BK-100/2", "source": "booking_com", "kind": "modify", "code": "held",
                       "message": "", "hold_id": hold.pk, "hold_reference": "BK-100", "replaces_reference": "BK-100",
                       "room_type_id": room_type.pk}
    assert channel_request_queue(request) == shard_queue(property_id=room_type.property_id,
                                                         room_type_id=room_type.pk, night=day(11))


def test_a_modification_that_cannot_be_honoured_is_refused_and_the_booking_stays(booked, submit):
    room_type, hold = booked
    RoomNight.objects.filter(room_type=room_type, date=day(13)).update(available=0)
    before = nights(room_type)

    request = submit(room_type=room_type, stay=stay(10, 14), source="booking_com", reference="BK-100/2",
                     kind="modify", replaces=hold)

    assert (request.status, request.outcome) == ("refused", f"Sold out on {day(13):%d %b %Y}.")
    assert nights(room_type) == before
    hold.refresh_from_db()
    assert (hold.check_in, hold.check_out, hold.status) == (day(10), day(13), Hold.Status.HELD)
    topic, payload = decision("BK-100/2")
    assert topic == "inventory.channel_request.refused"
    assert (payload["code"], payload["hold_reference"], payload["replaces_reference"]) == ("sold_out", None, "BK-100")


def test_a_cancellation_gives_back_exactly_the_nights_once(booked, submit):
    room_type, hold = booked
    before = nights(room_type)

    # when: the cancellation arrives, is submitted again, its task is redelivered, and the channel
    # sends a second cancellation under another reference
    first = submit(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-100/x",
                   kind="cancel", replaces=hold)
    again = submit(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-100/x",
                   kind="cancel", replaces=hold)
    after_first = nights(room_type)
    assert channel_reserve.apply(kwargs={"request_id": first.pk}).get() == "released"
    second = submit(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-100/x2",
                    kind="cancel", replaces=hold)

    # then: three nights given back, once
    assert again.pk == first.pk
    assert [after_first[d][0] for d in (10, 11, 12)] == [2, 2, 2]
    assert all(after_first[d][1] == before[d][1] + 1 for d in (10, 11, 12))
    assert {d: v for d, v in after_first.items() if d not in (10, 11, 12)} == {
        d: v for d, v in before.items() if d not in (10, 11, 12)}
    assert nights(room_type) == after_first
    first.refresh_from_db()
    assert (first.status, first.outcome, first.hold_id, first.queues) == ("released", "", hold.pk, ["eager", "eager"])
    assert (second.status, second.outcome) == ("released", "already released")
    topic, payload = decision("BK-100/x")
    assert topic == "inventory.channel_request.released"
    assert (payload["kind"], payload["code"], payload["hold_reference"]) == ("cancel", "released", "BK-100")
    assert decision("BK-100/x2")[1]["code"] == "already_released"


def test_a_cancellation_is_routed_by_the_hold_it_cancels(booked, submit):
    room_type, hold = booked

    # the channel's message names other dates: the hold as it is decides the shard
    request = channel_request_submit(room_type=room_type, stay=stay(20, 21), source="booking_com",
                                     reference="BK-100/x", kind="cancel", replaces=hold)

    assert (request.check_in, request.check_out, request.rooms) == (hold.check_in, hold.check_out, hold.rooms)
    assert channel_request_queue(request) == shard_queue(property_id=room_type.property_id,
                                                         room_type_id=room_type.pk, night=hold.check_in)
    assert OutboxMessage.objects.get(topic="task:inventory.channel_reserve", key="BK-100/x").payload["options"] == {
        "queue": channel_request_queue(request)}


def test_a_released_booking_cannot_be_modified(booked, submit):
    room_type, hold = booked
    submit(room_type=room_type, stay=stay(10, 13), source="booking_com", reference="BK-100/x", kind="cancel",
           replaces=hold)

    request = submit(room_type=room_type, stay=stay(10, 14), source="booking_com", reference="BK-100/2",
                     kind="modify", replaces=hold)

    assert request.status == "refused" and "already released" in request.outcome
    assert [nights(room_type)[d][0] for d in (10, 11, 12, 13)] == [2, 2, 2, 2]


@pytest.mark.parametrize("kind, replaces, message", [
    ("modify", False, "names the hold it replaces"),
    ("cancel", False, "names the hold it replaces"),
    ("new", True, "names the hold it replaces"),
    ("noshow", True, "one of new, modify, cancel"),
])
def test_a_change_must_name_its_hold_and_a_new_reservation_must_not(booked, kind, replaces, message):
    room_type, hold = booked

    with pytest.raises(ValidationError, match=message):
        channel_request_submit(room_type=room_type, stay=stay(3, 4), source="agoda", reference="AG-1", kind=kind,
                               replaces=hold if replaces else None)

    assert not ChannelRequest.objects.filter(reference="AG-1").exists()


def test_lost_modifications_and_cancellations_are_queued_again_by_the_sweep(booked, django_capture_on_commit_callbacks,
                                                                            settings):
    # given: a modification and a cancellation whose tasks were handed to the broker and lost
    room_type, hold = booked
    other = Hold.objects.get(pk=hold.pk)
    with django_capture_on_commit_callbacks(execute=False):
        modify = channel_request_submit(room_type=room_type, stay=stay(10, 12), source="booking_com",
                                        reference="BK-100/2", kind="modify", replaces=hold)
        cancel = channel_request_submit(room_type=room_type, stay=stay(10, 12), source="booking_com",
                                        reference="BK-100/x", kind="cancel", replaces=other)
    ChannelRequest.objects.filter(pk__in=[modify.pk, cancel.pk]).update(created_at=timezone.now() - timedelta(minutes=5))
    OutboxMessage.objects.filter(topic="task:inventory.channel_reserve").update(published_at=timezone.now())

    # when
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        assert channel_requests_requeue() == 2

    # then: both decided, in the order they arrived
    modify.refresh_from_db()
    cancel.refresh_from_db()
    assert (modify.status, cancel.status) == ("held", "released")
    assert [nights(room_type)[d][0] for d in (10, 11, 12)] == [2, 2, 2]
    assert channel_requests_requeue() == 0
