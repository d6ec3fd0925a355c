"""From a recorded revision to a decision by ``inventory``, and from the decision to our answer.

The latest revision states the whole reservation, so only it matters: older ones still waiting
are superseded. One revision per reservation is with inventory at a time (``submitted``); the
next one waits for its decision, so a cancellation never overtakes the booking it cancels.
What a revision asks of inventory depends on what the reservation holds now:

    holds nothing, asks for a stay  → new          (reserve)
    holds nights, asks for a stay   → modify       (the new stay replaces the old in one step)
    holds nights, cancelled         → cancel       (release exactly those nights)
    holds nothing, cancelled        → nothing to do: applied at once

Inventory decides on its hash-routed shard and publishes ``inventory.channel_request.<status>``;
``request_decided`` applies that outcome and queues the answer to the channel after our commit.
"""
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from channels import events
from channels.adapters.base import CANCELLED
from channels.models import ChannelBooking, ChannelRevision, Listing, RateMapping, RoomMapping
from channels.services.answering import answer_after_commit
from inventory.models import Hold
from inventory.services import channel_request_submit
from inventory.stays import Stay

R = ChannelRevision.State
B = ChannelBooking.Status


def advance(booking: ChannelBooking) -> None:
    """Submit the latest waiting revision if nothing is with inventory. Caller holds the row lock."""
    if booking.revisions.filter(state=R.SUBMITTED).exists():
        return
    waiting = list(booking.revisions.filter(state__in=[R.WAITING, R.PARKED]).order_by("-revision"))
    if not waiting:
        return
    latest, older = waiting[0], waiting[1:]
    for revision in older:
        _settle(revision, state=R.SUPERSEDED, reason=f"Revision {latest.revision} replaces it.")
        events.record(booking=booking, action="superseded", revision=revision.revision)
    if latest.revision < booking.revision:
        _settle(latest, state=R.SUPERSEDED, reason=f"Revision {booking.revision} was applied already.")
        events.record(booking=booking, action="superseded", revision=latest.revision)
        return
    _submit(booking, latest)


def _submit(booking: ChannelBooking, revision: ChannelRevision) -> None:
    data = revision.data
    holding = _held(booking)
    if data["status"] == CANCELLED:
        if holding:
            _to_inventory(booking, revision, kind="cancel", room_type=None, stay=None, replaces=holding)
        else:
            _apply_cancellation(booking, revision)
        return
    match = _match(booking, data)
    if isinstance(match, str):
        _park(booking, revision, reason=match)
        return
    listing, room_mapping, rate_mapping = match
    try:
        stay = Stay(_day(data["check_in"]), _day(data["check_out"]), rooms=data["rooms"], guests=data["guests"])
    except ValidationError as exc:
        _refuse(booking, revision, reason=" ".join(exc.messages))
        return
    booking.listing, booking.property = listing, listing.property
    booking.save(update_fields=["listing", "property", "updated_at"])
    _to_inventory(booking, revision, kind="modify" if holding else "new", room_type=room_mapping.room_type,
                  stay=stay, replaces=holding, rate_plan=rate_mapping.rate_plan)


def _to_inventory(booking, revision, *, kind, room_type, stay, replaces, rate_plan=None) -> None:
    reference = f"{booking.confirmation}-r{revision.revision}"
    channel_request_submit(room_type=room_type, stay=stay, source=booking.channel.code, reference=reference,
                           kind=kind, replaces=replaces)
    revision.state, revision.request_reference = R.SUBMITTED, reference
    revision.data = {**revision.data, "room_type_id": room_type.pk if room_type else replaces.room_type_id,
                     "rate_plan_id": rate_plan.pk if rate_plan else None}
    revision.save(update_fields=["state", "request_reference", "data"])


def request_decided(*, reference: str, status: str, message: str, hold_id: int | None) -> ChannelRevision | None:
    """Apply inventory's decision on a revision (idempotent: a redelivered event does nothing)."""
    with transaction.atomic():
        revision = ChannelRevision.objects.filter(request_reference=reference).select_related("booking").first()
        if revision is None:
            return None  # not a channel manager request (or not ours)
        booking = ChannelBooking.objects.select_for_update().get(pk=revision.booking_id)
        revision.refresh_from_db()
        if revision.state != R.SUBMITTED:
            return revision
        if status == "held":
            _apply_stay(booking, revision, hold_id=hold_id)
        elif status == "released":
            _apply_cancellation(booking, revision)
        else:
            _refuse(booking, revision, reason=message or "Refused by inventory.")
        advance(booking)
    return revision


# --- outcomes ---------------------------------------------------------------------------------

def _apply_stay(booking: ChannelBooking, revision: ChannelRevision, *, hold_id: int) -> None:
    data = revision.data
    modified = booking.status == B.HELD
    booking.hold_id = hold_id
    booking.room_type_id, booking.rate_plan_id = data["room_type_id"], data.get("rate_plan_id")
    booking.check_in, booking.check_out = _day(data["check_in"]), _day(data["check_out"])
    booking.rooms, booking.guests = data["rooms"], data["guests"]
    booking.guest_name, booking.guest_email = data["guest_name"][:160], data.get("guest_email", "")[:200]
    booking.guest_phone, booking.total, booking.currency = data.get("guest_phone", "")[:40], data["total"], data["currency"]
    booking.status, booking.revision = B.HELD, revision.revision
    booking.save()
    _settle(revision, state=R.APPLIED)
    events.record(booking=booking, action="modified" if modified else "taken", revision=revision.revision,
                  data={"check_in": data["check_in"], "check_out": data["check_out"], "rooms": data["rooms"],
                        "room_type_id": data["room_type_id"]})
    answer_after_commit(revision)


def _apply_cancellation(booking: ChannelBooking, revision: ChannelRevision) -> None:
    booking.status, booking.revision = B.CANCELLED, revision.revision
    booking.save(update_fields=["status", "revision", "updated_at"])
    _settle(revision, state=R.APPLIED)
    events.record(booking=booking, action="cancelled", revision=revision.revision,
                  data={"released": bool(booking.hold_id)})
    answer_after_commit(revision)


def _refuse(booking: ChannelBooking, revision: ChannelRevision, *, reason: str) -> None:
    """We cannot honour this revision. A refused modification leaves the booking as it was."""
    _settle(revision, state=R.REFUSED, reason=reason)
    if booking.status != B.HELD:
        booking.status, booking.revision = B.REFUSED, revision.revision
        booking.save(update_fields=["status", "revision", "updated_at"])
    events.record(booking=booking, action="refused", revision=revision.revision,
                  data={"reason": reason, "kind": revision.kind})
    answer_after_commit(revision)


def _park(booking: ChannelBooking, revision: ChannelRevision, *, reason: str) -> None:
    """Unmapped: kept for staff, replayed once mapped; the channel is not answered yet."""
    if revision.state != R.PARKED:
        events.record(booking=booking, action="parked", revision=revision.revision, data={"reason": reason})
    revision.state, revision.reason = R.PARKED, reason[:200]
    revision.save(update_fields=["state", "reason"])
    if booking.status in (B.RECEIVED, B.PARKED):
        booking.status = B.PARKED
        booking.save(update_fields=["status", "updated_at"])


def _settle(revision: ChannelRevision, *, state: str, reason: str = "") -> None:
    revision.state, revision.reason, revision.decided_at = state, reason[:200], timezone.now()
    revision.save(update_fields=["state", "reason", "decided_at"])


# --- reading ----------------------------------------------------------------------------------

def _held(booking: ChannelBooking) -> Hold | None:
    if booking.hold_id is None:
        return None
    hold = Hold.objects.select_related("room_type__property__destination").get(pk=booking.hold_id)
    return hold if hold.status == Hold.Status.HELD else None


def _match(booking: ChannelBooking, data: dict):
    """(listing, room mapping, rate mapping), or the reason the revision must be parked."""
    listing = (Listing.objects.filter(channel=booking.channel, hotel_code=data["hotel_code"], is_active=True)
               .select_related("property").first())
    if listing is None:
        return f"Hotel code {data['hotel_code']} is not listed on {booking.channel.name}."
    room = (RoomMapping.objects.filter(listing=listing, room_code=data["room_code"])
            .select_related("room_type__property__destination").first())
    if room is None:
        return f"Room code {data['room_code']} is not mapped to a room type of {listing.property.name}."
    rate = RateMapping.objects.filter(listing=listing, rate_code=data["rate_code"]).select_related("rate_plan").first()
    if rate is None:
        return f"Rate code {data['rate_code']} is not mapped to a rate plan of {listing.property.name}."
    return listing, room, rate


def _day(text: str) -> date:
    return date.fromisoformat(text)
