"""Reservations in from the channels, end to end over HTTP: the sandbox OTA sends signed webhooks
to the live site (or is polled), our adapters fetch, inventory decides, the channel hears back.

Tasks run in-process here (the embedded mode's way) so that each step is deterministic; the
tests in test_inbound_workers.py run the same path through RabbitMQ and real workers.
"""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from channels.models import ChannelBooking, ChannelRevision, InboundMessage
from channels.services import listing_pull
from inventory.models import Hold
from tests.channels.domain import Ota, list_hotel, ota  # noqa: F401  (fixture)
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]
WEBHOOK_CHANNELS = ("booking_com", "expedia", "agoda")


@pytest.fixture
def site(ota: Ota, live_server, eager_tasks):
    """The sandbox's webhooks go to the live site, signed with the secrets our settings hold."""
    for code in WEBHOOK_CHANNELS:
        ota.webhooks_to(code, f"{live_server.url}/channels/webhooks/{code}/",
                        settings.CHANNEL_APIS[code]["webhook_secret"])
    return live_server


def days(n: int):
    return timezone.localdate() + timedelta(days=n)


def booking_of(channel: str, reservation_id: str) -> ChannelBooking | None:
    return ChannelBooking.objects.filter(channel__code=channel, reservation_id=reservation_id).first()


def settled(channel: str, reservation_id: str, status: str, revision: int = 1):
    """The reservation has reached ``status`` at ``revision`` and our answer reached the channel."""
    def check():
        booking = booking_of(channel, reservation_id)
        if booking is None or booking.status != status or booking.revision != revision:
            return None
        answered = booking.revisions.filter(revision=revision).exclude(answer="").exists()
        return booking if answered else None
    return wait_for(check, timeout=15)


def actions(booking: ChannelBooking) -> list[str]:
    return [e.action.removeprefix("channel_booking.") for e in booking.events.order_by("created_at", "id")]


@pytest.mark.parametrize("channel", WEBHOOK_CHANNELS)
def test_a_webhook_reservation_takes_its_nights_and_is_acknowledged_with_our_number(site, ota, channel):
    hotel = list_hotel(total=3)
    reservation_id = ota.book(channel, days(10), days(12), guest_name="Kenji Sato")

    booking = settled(channel, reservation_id, "held")

    assert booking, "the reservation never reached held + answered"
    assert [a for a, _v in hotel.nights(days(10), days(11))] == [2, 2]
    assert (booking.check_in, booking.check_out, booking.guest_name) == (days(10), days(12), "Kenji Sato")
    assert actions(booking)[:3] == ["received", "taken", "acknowledged"]
    seen_by_channel = ota.reservation(channel, reservation_id)
    assert booking.confirmation in str(seen_by_channel), seen_by_channel


@pytest.mark.parametrize("channel", ["traveloka", "trip_com"])
def test_a_polled_channel_is_read_from_its_cursor_once(site, ota, channel):
    hotel = list_hotel(total=3)
    listing = hotel.listings[channel]
    first = ota.book(channel, days(5), days(7))

    assert listing_pull(listing_id=listing.pk) == 1
    booking = settled(channel, first, "held")
    assert booking
    second = ota.book(channel, days(5), days(6))
    assert listing_pull(listing_id=listing.pk) == 1  # only what came after the cursor
    assert settled(channel, second, "held")
    assert listing_pull(listing_id=listing.pk) == 0
    assert [a for a, _v in hotel.nights(days(5), days(6))] == [1, 2]
    assert booking.confirmation in str(ota.reservation(channel, first))


def test_the_same_revision_three_times_makes_one_booking(site, ota):
    hotel = list_hotel(total=3)
    reservation_id = ota.book("booking_com", days(10), days(11))
    assert settled("booking_com", reservation_id, "held")
    delivery = next(d for d in ota.deliveries() if reservation_id in str(d.get("body", "")))

    ota.resend(delivery["id"])  # the same bytes and signature again: a replay
    listing_pull(listing_id=hotel.listings["booking_com"].pk)  # and the safety-net pull

    assert ChannelBooking.objects.filter(reservation_id=reservation_id).count() == 1
    assert ChannelRevision.objects.filter(booking__reservation_id=reservation_id).count() == 1
    assert Hold.objects.filter(source="booking_com").count() == 1
    assert hotel.nights(days(10))[0][0] == 2


def test_forged_and_stale_webhooks_are_refused_and_change_nothing(site, ota):
    import hashlib
    import hmac
    import json
    import time

    import httpx

    list_hotel(total=3)
    body = json.dumps({"event": "reservation", "hotel_id": "BC-100", "reservation_id": "X1", "revision": 1}).encode()
    secret = settings.CHANNEL_APIS["booking_com"]["webhook_secret"].encode()

    def send(timestamp: int, key: bytes):
        signature = "sha256=" + hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return httpx.post(f"{site.url}/channels/webhooks/booking_com/", content=body, timeout=10,
                          headers={"X-Bcom-Timestamp": str(timestamp), "X-Bcom-Signature": signature,
                                   "Content-Type": "application/json"})

    forged = send(int(time.time()), b"not-the-secret")
    stale = send(int(time.time()) - 3600, secret)
    unsigned = httpx.post(f"{site.url}/channels/webhooks/booking_com/", content=body, timeout=10)

    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    assert all(r.json()["error"] for r in (forged, stale, unsigned))
    assert InboundMessage.objects.count() == 0
    assert ChannelBooking.objects.count() == 0


def test_a_modification_moves_the_dates_and_nights_that_stay_are_not_touched(site, ota):
    hotel = list_hotel(total=3)
    reservation_id = ota.book("agoda", days(10), days(13))
    assert settled("agoda", reservation_id, "held")
    kept_before = hotel.nights(days(11), days(12))

    ota.modify("agoda", reservation_id, check_in=days(11), check_out=days(15))
    booking = settled("agoda", reservation_id, "held", revision=2)

    assert booking and (booking.check_in, booking.check_out) == (days(11), days(15))
    assert hotel.nights(days(11), days(12)) == kept_before  # same availability, same version
    assert [a for a, _v in hotel.nights(days(10), days(13), days(14))] == [3, 2, 2]
    assert booking.hold.check_in == days(11) and Hold.objects.filter(source="agoda").count() == 1
    assert "modified" in actions(booking)


def test_a_cancellation_gives_back_exactly_the_nights(site, ota):
    hotel = list_hotel(total=3)
    reservation_id = ota.book("expedia", days(20), days(23), rooms=2, guests=3)
    assert settled("expedia", reservation_id, "held")
    assert [a for a, _v in hotel.nights(days(20), days(21), days(22))] == [1, 1, 1]

    ota.cancel("expedia", reservation_id)
    booking = settled("expedia", reservation_id, "cancelled", revision=2)

    assert booking
    assert [a for a, _v in hotel.nights(days(20), days(21), days(22), days(23))] == [3, 3, 3, 3]
    assert booking.hold.status == Hold.Status.RELEASED
    assert actions(booking)[-2:] == ["cancelled", "acknowledged"]


def test_sold_out_is_refused_back_to_the_channel_with_the_reason(site, ota):
    hotel = list_hotel(total=1)
    first = ota.book("booking_com", days(8), days(9))
    assert settled("booking_com", first, "held")

    second = ota.book("agoda", days(8), days(9))
    refused = settled("agoda", second, "refused")

    assert refused, "the second reservation was not refused"
    assert "Sold out" in refused.revisions.get().reason
    assert "refusal_sent" in actions(refused)
    assert "Sold out" in str(ota.reservation("agoda", second))
    assert hotel.nights(days(8))[0][0] == 0


def test_an_unmapped_room_is_parked_then_replayed_once_mapped(site, ota):
    from channels.models import RoomMapping
    from channels.services import parked_replay

    hotel = list_hotel(total=3)
    reservation_id = ota.book("booking_com", days(14), days(16), room_code="SUITE-NEW")

    parked = wait_for(lambda: booking_of("booking_com", reservation_id), timeout=15)
    assert parked and parked.status == "parked"
    assert "SUITE-NEW" in parked.revisions.get().reason
    assert hotel.nights(days(14))[0][0] == 3  # nothing guessed
    seen_by_channel = ota.reservation("booking_com", reservation_id)["revisions"]
    assert not any(r["acknowledged"] or r["refused"] for r in seen_by_channel)  # not answered while parked

    RoomMapping.objects.filter(listing=hotel.listings["booking_com"]).update(room_code="SUITE-NEW")
    assert parked_replay(bookings=[parked]) == 1

    assert settled("booking_com", reservation_id, "held")
    assert hotel.nights(days(14))[0][0] == 2


def test_a_lost_webhook_is_caught_by_the_next_pull(site, ota):
    hotel = list_hotel(total=3)
    ota.configure(webhooks_off=["booking_com"])
    reservation_id = ota.book("booking_com", days(30), days(31))

    assert booking_of("booking_com", reservation_id) is None
    listing_pull(listing_id=hotel.listings["booking_com"].pk)

    assert settled("booking_com", reservation_id, "held")
    assert hotel.nights(days(30))[0][0] == 2


def test_webhooks_only_for_channels_that_send_them_and_garbage_is_refused(client):
    list_hotel(total=1)

    polled = client.post("/channels/webhooks/traveloka/", b"{}", content_type="application/json")
    unknown = client.post("/channels/webhooks/nowhere/", b"{}", content_type="application/json")
    garbage = client.post("/channels/webhooks/agoda/", b"\x00\xff not json", content_type="application/json",
                          headers={"X-Agoda-Timestamp": "1", "X-Agoda-Signature": "sha256=00"})
    fetched = client.get("/channels/webhooks/agoda/")

    assert [polled.status_code, unknown.status_code, garbage.status_code, fetched.status_code] == [404, 404, 401, 405]
    assert "traveloka" in polled.json()["error"]
    assert InboundMessage.objects.count() == 0
