"""The bookings (H4) outbox topics, exactly as docs/contracts.md lists them (key = reference).

Payload values are strings or ints. ``total`` is the fiat actually due after any points discount.
"""
from bookings.models import Booking
from core.outbox import outbox_publish


def _common(booking: Booking) -> dict:
    return {"reference": booking.reference, "user_id": booking.user_id}


def publish_placed(booking: Booking) -> None:
    outbox_publish(topic="booking.placed", key=booking.reference, payload={
        **_common(booking), "kind": booking.kind, "property_id": booking.property_id,
        "total": str(booking.total), "currency": booking.currency, "points_redeemed": int(booking.points_redeemed),
    })


def publish_confirmed(booking: Booking) -> None:
    outbox_publish(topic="booking.confirmed", key=booking.reference, payload={
        **_common(booking), "kind": booking.kind, "property_id": booking.property_id,
        "total": str(booking.total), "currency": booking.currency,
        "check_in": booking.check_in.isoformat() if booking.check_in else None,
        "check_out": booking.check_out.isoformat() if booking.check_out else None,
    })


def publish_cancelled(booking: Booking, *, refund_method: str) -> None:
    outbox_publish(topic="booking.cancelled", key=booking.reference,
                   payload={**_common(booking), "refund_method": refund_method})


def publish_expired(booking: Booking) -> None:
    outbox_publish(topic="booking.expired", key=booking.reference, payload=_common(booking))


def publish_failed(booking: Booking) -> None:
    outbox_publish(topic="booking.failed", key=booking.reference, payload=_common(booking))


def publish_stay_completed(booking: Booking) -> None:
    outbox_publish(topic="stay.completed", key=booking.reference, payload={
        **_common(booking), "total": str(booking.total), "currency": booking.currency,
        "check_out": booking.check_out.isoformat() if booking.check_out else None,
    })


def publish_no_show(booking: Booking) -> None:
    outbox_publish(topic="booking.no_show", key=booking.reference, payload={
        **_common(booking), "kind": booking.kind, "property_id": booking.property_id,
        "total": str(booking.total), "currency": booking.currency, "points_redeemed": int(booking.points_redeemed),
        "check_in": booking.check_in.isoformat() if booking.check_in else None,
        "check_out": booking.check_out.isoformat() if booking.check_out else None,
    })
