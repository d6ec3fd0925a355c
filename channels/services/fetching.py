"""Getting reservations from the channels: the details behind a webhook, and pulls.

A pull is the polling of channels without webhooks (from the listing's cursor) and the safety net
of the others (everything they still consider unacknowledged), so a lost webhook is found by the
next pull. Each reservation is stored raw, then received (deduplicated) one by one; the cursor
moves only after all of them are recorded, so a crash half-way means a re-read, never a gap.
"""
from django.utils import timezone

from channels.adapters import adapter_for
from channels.models import InboundMessage, Listing
from channels.revisions import reservation_from_data
from channels.services.receiving import message_store, reservation_receive


def message_process(*, message_id: int) -> int | None:
    """Act on a stored webhook: receive the reservation it carries, or fetch it first."""
    message = InboundMessage.objects.select_related("channel").get(pk=message_id)
    if message.reservation:
        reservation = reservation_from_data(message.reservation, raw=message.body)
        return reservation_receive(reservation=reservation, message=message).pk
    if not message.reservation_id:
        return None
    reservation = adapter_for(message.channel.code).fetch(hotel_code=message.hotel_code,
                                                          reservation_id=message.reservation_id)
    fetched = message_store(channel=message.channel, reservation=reservation, via=InboundMessage.Via.FETCH)
    return reservation_receive(reservation=reservation, message=fetched).pk


def listing_pull(*, listing_id: int) -> int:
    """Pull one listing's reservations. Returns how many revisions the channel sent."""
    listing = Listing.objects.select_related("channel").get(pk=listing_id)
    pull = adapter_for(listing.channel.code).pull(hotel_code=listing.hotel_code, cursor=listing.cursor)
    for reservation in pull.reservations:
        message = message_store(channel=listing.channel, reservation=reservation, via=InboundMessage.Via.PULL)
        reservation_receive(reservation=reservation, message=message)
    Listing.objects.filter(pk=listing.pk).update(cursor=pull.cursor or listing.cursor, last_pulled_at=timezone.now())
    return len(pull.reservations)

