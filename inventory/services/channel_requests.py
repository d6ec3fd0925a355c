"""Reservation requests from sales channels, decided by hash-routed tasks (``inventory.routing``).

``channel_request_submit`` records the request (idempotent on the channel's reference) and queues
``inventory.channel_reserve`` on the request's shard queue through the outbox (sent after commit). The task calls
``channel_request_decide``, which reserves through ``inventory_reserve`` and records the outcome;
``Busy`` propagates so that the task retries on the same shard.
"""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalogue.models import RoomType
from core.outbox import enqueue_after_commit, outbox_publish, queued_keys
from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import ChannelRequest, Hold
from inventory.routing import shard_queue
from inventory.services.reserve import inventory_reserve
from inventory.stays import Stay

RESERVE_TASK = "inventory.channel_reserve"


def channel_request_queue(request: ChannelRequest) -> str:
    return shard_queue(property_id=request.room_type.property_id, room_type_id=request.room_type_id,
                       night=request.check_in)


def channel_request_submit(*, room_type: RoomType, stay: Stay, source: str, reference: str) -> ChannelRequest:
    """Record a channel's reservation request and queue it on its shard (once per reference)."""
    if not source or not reference:
        raise ValidationError("A channel request needs its source and the channel's reference.", code="reference")
    with transaction.atomic():
        request, created = ChannelRequest.objects.get_or_create(
            reference=reference,
            defaults={"source": source, "room_type": room_type, "check_in": stay.check_in,
                      "check_out": stay.check_out, "rooms": stay.rooms, "guests": stay.guests},
        )
        if created:
            _enqueue(request)
    return request


def _enqueue(request: ChannelRequest) -> None:
    enqueue_after_commit(task=RESERVE_TASK, kwargs={"request_id": request.pk}, key=request.reference,
                         queue=channel_request_queue(request))


def channel_request_decide(*, request_id: int, queue: str) -> ChannelRequest:
    """Reserve for a pending request and record the outcome; Busy propagates (retry)."""
    with transaction.atomic():
        request = (ChannelRequest.objects.select_for_update(of=("self",))
                   .select_related("room_type__property__destination")
                   .get(pk=request_id))
        request.queues = [*request.queues, queue]
        request.save(update_fields=["queues"])
    if request.status != ChannelRequest.Status.PENDING:
        return request
    with transaction.atomic():
        try:
            existing = Hold.objects.filter(reference=request.reference).first()
            stay = Stay(request.check_in, request.check_out, rooms=request.rooms, guests=request.guests)
            hold = existing or inventory_reserve(room_type=request.room_type, stay=stay, source=request.source,
                                                 reference=request.reference)
        except (SoldOut, RestrictionViolated) as exc:
            return _decided(request, status=ChannelRequest.Status.REFUSED, outcome=exc.message, code=exc.code)
        except ValidationError as exc:
            return _decided(request, status=ChannelRequest.Status.REFUSED, outcome=" ".join(exc.messages),
                            code="invalid")
        request.hold = hold
        return _decided(request, status=ChannelRequest.Status.HELD, outcome="", code="held")


def channel_request_give_up(*, request_id: int, message: str) -> ChannelRequest:
    """The task used up its retries while inventory stayed busy: refuse the request, say why."""
    with transaction.atomic():
        request = ChannelRequest.objects.select_for_update().get(pk=request_id)
        if request.status != ChannelRequest.Status.PENDING:
            return request
        return _decided(request, status=ChannelRequest.Status.REFUSED, outcome=message, code="busy")


def _decided(request: ChannelRequest, *, status: str, outcome: str, code: str) -> ChannelRequest:
    request.status, request.outcome, request.decided_at = status, outcome[:200], timezone.now()
    request.save(update_fields=["status", "outcome", "decided_at", "hold"])
    outbox_publish(
        topic=f"inventory.channel_request.{status}",
        key=request.reference,
        payload={"reference": request.reference, "source": request.source, "code": code, "message": outcome,
                 "hold_id": request.hold_id, "room_type_id": request.room_type_id},
    )
    return request


def channel_requests_requeue(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Queue again the requests whose task never ran (and is not waiting in the outbox). Returns how many."""
    cutoff = timezone.now() - older_than
    never_ran = list(ChannelRequest.objects.filter(status=ChannelRequest.Status.PENDING, queues=[],
                                                   created_at__lte=cutoff)
                     .select_related("room_type").order_by("pk")[:limit])
    waiting = queued_keys(task=RESERVE_TASK, keys=[r.reference for r in never_ran])
    stuck = [request for request in never_ran if request.reference not in waiting]
    for request in stuck:
        _enqueue(request)
    return len(stuck)
