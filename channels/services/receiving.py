"""Messages and reservation revisions coming in from the channels.

A webhook is verified by its adapter before anything is stored; a verified message is stored raw
and its work queued (the webhook is answered at once). Each revision is recorded once per
channel × reservation id × revision: a resend, a replayed webhook or a poll that finds it again
changes nothing, except that an answer the channel apparently missed is sent again.
"""
import secrets

from django.db import IntegrityError, transaction

from channels import events
from channels.adapters.base import Notice, Reservation
from channels.models import Channel, ChannelBooking, ChannelRevision, InboundMessage
from channels.revisions import reservation_to_data
from channels.services.answering import answer_after_commit
from channels.services.deciding import advance
from core.outbox import enqueue_after_commit

PROCESS_TASK = "channels.process_message"
SIGNATURE_HEADERS = ("timestamp", "signature", "sig")


def notice_store(*, channel: Channel, notice: Notice, body: bytes, headers) -> InboundMessage:
    """Store a verified webhook and queue its processing after commit."""
    with transaction.atomic():
        message = InboundMessage.objects.create(
            channel=channel, via=InboundMessage.Via.WEBHOOK, hotel_code=notice.hotel_code,
            reservation_id=notice.reservation_id, revision=notice.revision,
            reservation=reservation_to_data(notice.reservation) if notice.reservation else None,
            body=body.decode("utf-8", errors="replace"), headers=_signature_headers(headers),
        )
        enqueue_after_commit(task=PROCESS_TASK, kwargs={"message_id": message.pk}, key=f"{channel.code}:{notice.reservation_id}")
    return message


def message_store(*, channel: Channel, reservation: Reservation, via: str) -> InboundMessage:
    """Store a reservation we fetched or pulled, as the channel sent it."""
    return InboundMessage.objects.create(
        channel=channel, via=via, hotel_code=reservation.hotel_code, reservation_id=reservation.reservation_id,
        revision=reservation.revision, body=reservation.raw,
    )


def reservation_receive(*, reservation: Reservation, message: InboundMessage | None = None) -> ChannelRevision:
    """Record one revision (once) and move the reservation on. Returns the revision's row."""
    channel = Channel.objects.get(code=reservation.channel)
    with transaction.atomic():
        booking = _booking_locked(channel=channel, reservation=reservation)
        known = booking.revisions.filter(revision=reservation.revision).first()
        if known:
            _duplicate(booking=booking, revision=known)
            return known
        revision = ChannelRevision.objects.create(
            booking=booking, revision=reservation.revision, kind=reservation.status,
            data=reservation_to_data(reservation), message=message,
        )
        events.record(booking=booking, action="received", revision=revision.revision,
                      data={"kind": revision.kind, "via": message.via if message else ""})
        advance(booking)
    revision.refresh_from_db()
    return revision


def _booking_locked(*, channel: Channel, reservation: Reservation) -> ChannelBooking:
    """The reservation's row, created at its first revision, locked for this transaction: all
    revisions of one reservation are decided one after another."""
    locked = ChannelBooking.objects.select_for_update()
    booking = locked.filter(channel=channel, reservation_id=reservation.reservation_id).first()
    if booking:
        return booking
    try:
        with transaction.atomic():
            ChannelBooking.objects.create(
                channel=channel, reservation_id=reservation.reservation_id, confirmation=_confirmation(),
                check_in=reservation.check_in, check_out=reservation.check_out, rooms=reservation.rooms,
                guests=reservation.guests, guest_name=reservation.guest_name[:160],
                guest_email=reservation.guest_email[:200], guest_phone=reservation.guest_phone[:40],
                total=reservation.total, currency=reservation.currency[:3],
            )
    except IntegrityError:
        pass  # another process created it first: take theirs
    return locked.get(channel=channel, reservation_id=reservation.reservation_id)


def _confirmation() -> str:
    return "LTC-" + secrets.token_hex(5).upper()


def _duplicate(*, booking: ChannelBooking, revision: ChannelRevision) -> None:
    """A revision seen before. If we answered it already, the channel did not get the answer
    (that is why it sends again): answer again. Otherwise it is still on its way."""
    events.record(booking=booking, action="duplicate", revision=revision.revision,
                  data={"state": revision.state, "answer": revision.answer})
    if revision.answer:
        answer_after_commit(revision)


def _signature_headers(headers) -> dict:
    return {k.lower(): v for k, v in headers.items() if any(part in k.lower() for part in SIGNATURE_HEADERS)}
