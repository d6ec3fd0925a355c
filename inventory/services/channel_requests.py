"""Requests from sales channels (new reservations, modifications, cancellations), decided by
hash-routed tasks (``inventory.routing``).

``channel_request_submit`` records the request (idempotent on the channel's reference) and queues
``inventory.channel_reserve`` on the request's shard queue through the outbox (sent after commit).
The task calls ``channel_request_decide``, which decides by kind, in one transaction with the
outcome: a new reservation through ``inventory_reserve``, a modification through
``inventory_restay`` (the new stay replaces the old one on the same hold), a cancellation
through ``inventory_release``. ``Busy`` propagates so that the task retries on the same shard.

A request's shard is computed from the request row alone (property, room type, first night), so
every retry lands where the first try did. A cancellation records the stay of the hold it
cancels, so it meets the consumer of the booking it cancels.
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
from inventory.services.reserve import inventory_release, inventory_reserve
from inventory.services.restay import inventory_restay
from inventory.stays import Stay

RESERVE_TASK = "inventory.channel_reserve"
Kind, Status = ChannelRequest.Kind, ChannelRequest.Status


def channel_request_queue(request: ChannelRequest) -> str:
    return shard_queue(property_id=request.room_type.property_id, room_type_id=request.room_type_id,
                       night=request.check_in)


def channel_request_submit(*, room_type: RoomType | None, stay: Stay | None, source: str, reference: str,
                           kind: str = Kind.NEW, replaces: Hold | None = None) -> ChannelRequest:
    """Record a channel's request and queue it on its shard (once per reference).

    ``kind="modify"`` and ``kind="cancel"`` name the hold the reservation has now in ``replaces``;
    a cancellation takes no ``room_type`` or ``stay`` (it cancels the hold as it is)."""
    _check_submission(source=source, reference=reference, kind=kind, replaces=replaces)
    with transaction.atomic():
        request, created = ChannelRequest.objects.get_or_create(
            reference=reference,
            defaults={"source": source, "kind": kind, "replaces": replaces,
                      **_what_it_is_about(room_type=room_type, stay=stay, kind=kind, replaces=replaces)},
        )
        if created:
            _enqueue(request)
    return request


def _check_submission(*, source: str, reference: str, kind: str, replaces: Hold | None) -> None:
    if not source or not reference:
        raise ValidationError("A channel request needs its source and the channel's reference.", code="reference")
    if kind not in Kind.values:
        raise ValidationError(f"A channel request is one of {', '.join(Kind.values)}, not {kind!r}.", code="kind")
    if (kind == Kind.NEW) != (replaces is None):
        raise ValidationError("A modification or cancellation names the hold it replaces; a new reservation "
                              "does not.", code="replaces")


def _what_it_is_about(*, room_type: RoomType, stay: Stay, kind: str, replaces: Hold | None) -> dict:
    """The room type and stay the request is routed by: a cancellation's are its hold's as stored
    now (the caller's copy may predate a modification), so it meets the same consumer as the
    booking it cancels. No Stay is built for it: a hold whose check-in has passed can still be
    cancelled."""
    if kind == Kind.CANCEL:
        hold = Hold.objects.get(pk=replaces.pk)
        return {"room_type": hold.room_type, "check_in": hold.check_in, "check_out": hold.check_out,
                "rooms": hold.rooms}
    return {"room_type": room_type, "check_in": stay.check_in, "check_out": stay.check_out, "rooms": stay.rooms,
            "guests": stay.guests}


def _enqueue(request: ChannelRequest) -> None:
    enqueue_after_commit(task=RESERVE_TASK, kwargs={"request_id": request.pk}, key=request.reference,
                         queue=channel_request_queue(request))


def channel_request_decide(*, request_id: int, queue: str) -> ChannelRequest:
    """Decide a pending request by its kind and record the outcome; Busy propagates (retry).

    The attempt's queue is recorded in a transaction of its own (kept even when the attempt ends
    Busy); the decision re-locks the request and decides only if it is still pending, in the same
    transaction as the inventory change, so a redelivered task never decides twice."""
    with transaction.atomic():
        request = _locked(request_id)
        request.queues = [*request.queues, queue]
        request.save(update_fields=["queues"])
    if request.status != Status.PENDING:
        return request
    with transaction.atomic():
        request = _locked(request_id)
        if request.status != Status.PENDING:
            return request
        try:
            status, hold, outcome, code = DECIDERS[request.kind](request)
        except (SoldOut, RestrictionViolated) as exc:
            return _decided(request, status=Status.REFUSED, outcome=exc.message, code=exc.code)
        except ValidationError as exc:
            return _decided(request, status=Status.REFUSED, outcome=" ".join(exc.messages), code="invalid")
        request.hold = hold
        return _decided(request, status=status, outcome=outcome, code=code)


def _locked(request_id: int) -> ChannelRequest:
    return (ChannelRequest.objects.select_for_update(of=("self",))
            .select_related("room_type__property__destination", "replaces__room_type")
            .get(pk=request_id))


def _stay(request: ChannelRequest) -> Stay:
    return Stay(request.check_in, request.check_out, rooms=request.rooms, guests=request.guests)


def _decide_new(request: ChannelRequest) -> tuple[str, Hold, str, str]:
    hold = Hold.objects.filter(reference=request.reference).first() or inventory_reserve(
        room_type=request.room_type, stay=_stay(request), source=request.source, reference=request.reference)
    return Status.HELD, hold, "", "held"


def _decide_modify(request: ChannelRequest) -> tuple[str, Hold, str, str]:
    hold = inventory_restay(hold=request.replaces, room_type=request.room_type, stay=_stay(request))
    return Status.HELD, hold, "", "held"


def _decide_cancel(request: ChannelRequest) -> tuple[str, Hold, str, str]:
    """Released either way: a cancellation of a hold already released has nothing left to give back."""
    if inventory_release(hold=request.replaces):
        return Status.RELEASED, request.replaces, "", "released"
    return Status.RELEASED, request.replaces, "already released", "already_released"


DECIDERS = {Kind.NEW: _decide_new, Kind.MODIFY: _decide_modify, Kind.CANCEL: _decide_cancel}


def channel_request_give_up(*, request_id: int, message: str) -> ChannelRequest:
    """The task used up its retries while inventory stayed busy: refuse the request, say why."""
    with transaction.atomic():
        request = ChannelRequest.objects.select_for_update(of=("self",)).select_related("replaces").get(pk=request_id)
        if request.status != Status.PENDING:
            return request
        return _decided(request, status=Status.REFUSED, outcome=message, code="busy")


def _decided(request: ChannelRequest, *, status: str, outcome: str, code: str) -> ChannelRequest:
    request.status, request.outcome, request.decided_at = status, outcome[:200], timezone.now()
    request.save(update_fields=["status", "outcome", "decided_at", "hold"])
    outbox_publish(topic=f"inventory.channel_request.{status}", key=request.reference,
                   payload=decision_payload(request, code=code, message=outcome))
    return request


def decision_payload(request: ChannelRequest, *, code: str, message: str) -> dict:
    """What ``inventory.channel_request.<status>`` tells the channel manager. ``hold_reference``
    is the hold the reservation has after this decision (null when a request is refused);
    ``replaces_reference`` the hold a modification or cancellation was about."""
    return {
        "reference": request.reference, "source": request.source, "kind": request.kind, "code": code,
        "message": message, "hold_id": request.hold_id,
        "hold_reference": request.hold.reference if request.hold_id else None,
        "replaces_reference": request.replaces.reference if request.replaces_id else None,
        "room_type_id": request.room_type_id,
    }


def channel_requests_requeue(*, older_than: timedelta = timedelta(minutes=2), limit: int = 500) -> int:
    """Queue again the requests whose task never ran (and is not waiting in the outbox), of every
    kind. Returns how many."""
    cutoff = timezone.now() - older_than
    never_ran = list(ChannelRequest.objects.filter(status=Status.PENDING, queues=[], created_at__lte=cutoff)
                     .select_related("room_type").order_by("pk")[:limit])
    waiting = queued_keys(task=RESERVE_TASK, keys=[r.reference for r in never_ran])
    stuck = [request for request in never_ran if request.reference not in waiting]
    for request in stuck:
        _enqueue(request)
    return len(stuck)
