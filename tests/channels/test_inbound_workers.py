"""The inbound path through RabbitMQ and real workers: webhooks to the live site, the hash-routed
inventory shards, the channel tasks, the sandbox OTA over HTTP.

The seed's race: all six sources (five OTAs and our own site) book the last room of one night
within a few hundred milliseconds. One booking stands; every other source is refused, the OTAs
by a refusal sent back to them.
"""
import threading
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from bookings.services.placing import booking_place
from bookings.services.quoting import price_lock_stay
from channels.models import ChannelBooking, ChannelRevision
from channels.tasks import pull
from inventory.errors import InventoryError
from inventory.models import Hold, RoomNight
from inventory.stays import Stay
from tests.channels.domain import list_hotel, ota  # noqa: F401  (fixture)
from tests.factories import UserFactory
from tests.fixtures.worker import wait_for, worker_process

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]
OTAS = ("booking_com", "expedia", "agoda", "traveloka", "trip_com")


@pytest.fixture
def workers(celery_worker, django_db_blocker, artifacts_dir):
    """The task worker (every queue) and one single-threaded consumer of the inventory shards."""
    with worker_process(queues=list(settings.INVENTORY_SHARD_QUEUES), name="channel-shards", pool="solo",
                        concurrency=1, log_path=artifacts_dir / "celery-channel-shards.log",
                        django_db_blocker=django_db_blocker):
        yield celery_worker


@pytest.fixture
def site(ota, live_server):
    for code in ("booking_com", "expedia", "agoda"):
        ota.webhooks_to(code, f"{live_server.url}/channels/webhooks/{code}/",
                        settings.CHANNEL_APIS[code]["webhook_secret"])
    return live_server


def settled_everywhere(reservations: dict) -> bool:
    """Every OTA reservation is decided and our answer reached its channel."""
    done = ChannelRevision.objects.filter(booking__reservation_id__in=reservations.values(),
                                          state__in=["applied", "refused"]).exclude(answer="")
    return done.count() == len(reservations)


def test_six_sources_race_for_the_last_room_and_one_booking_stands(workers, site, ota, rates_sandbox):
    # given: the last room of a night, listed on five OTAs and sold on our own site
    import_module("bookings.payments.migrations.0002_seed_coins").seed(apps, None)
    hotel = list_hotel(total=1)
    night = timezone.localdate() + timedelta(days=12)
    traveller = UserFactory()
    lock = price_lock_stay(user=traveller, room_type=hotel.room_type, rate_plan=hotel.rate_plan,
                           stay=Stay(night, night + timedelta(days=1), rooms=1, guests=2), coin_code="BTC")
    reservations, direct = {}, {}

    def from_ota(code):
        reservations[code] = ota.book(code, night, night + timedelta(days=1))
        if code in ("traveloka", "trip_com"):  # polled: the next poll comes now
            pull.delay(listing_id=hotel.listings[code].pk)

    def from_our_site():
        try:
            direct["booking"] = booking_place(user=traveller, lock_id=lock.id, idempotency_key="race-direct").booking
        except InventoryError as exc:
            direct["refused"] = exc.message
        except Exception as exc:  # anything else is a failure of the test, reported below
            direct["error"] = repr(exc)

    # when: all six within a few hundred milliseconds
    threads = [threading.Thread(target=from_ota, args=(code,)) for code in OTAS]
    threads.append(threading.Thread(target=from_our_site))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then: one booking stands, everyone else is refused, and the channels heard it
    assert set(direct) in ({"booking"}, {"refused"}), direct
    assert wait_for(lambda: settled_everywhere(reservations), timeout=60), list(
        ChannelRevision.objects.values_list("booking__channel__code", "state", "answer"))
    night_row = RoomNight.objects.get(room_type=hotel.room_type, date=night)
    held = list(Hold.objects.filter(room_type=hotel.room_type, status="held").values_list("source", flat=True))
    assert night_row.available == 0 and len(held) == 1, held
    standing = ChannelBooking.objects.filter(status="held")
    refused = ChannelBooking.objects.filter(status="refused")
    assert standing.count() + refused.count() == len(OTAS)
    assert standing.count() + ("booking" in direct) == 1
    assert held == ["web" if "booking" in direct else standing.get().channel.code]  # our site holds as "web"
    if "refused" in direct:
        assert "Sold out" in direct["refused"]
    for booking in refused:
        assert "Sold out" in booking.revisions.get().reason
        assert booking.revisions.get().answer == "refused"
        assert "Sold out" in str(ota.reservation(booking.channel.code, booking.reservation_id))


def test_one_reservation_delivered_by_webhook_resend_and_poll_is_booked_once(workers, site, ota):
    hotel = list_hotel(total=3)
    night = timezone.localdate() + timedelta(days=9)
    reservation_id = ota.book("booking_com", night, night + timedelta(days=2))

    def acknowledged():
        return ChannelRevision.objects.filter(booking__reservation_id=reservation_id, answer="acknowledged").exists()

    assert wait_for(acknowledged, timeout=30)
    delivery = next(d for d in ota.deliveries() if reservation_id in str(d.get("body", "")))
    ota.resend(delivery["id"])
    pull.delay(listing_id=hotel.listings["booking_com"].pk)

    def duplicates_seen():
        booking = ChannelBooking.objects.get(reservation_id=reservation_id)
        return booking.events.filter(action="channel_booking.duplicate").count() >= 1

    assert wait_for(duplicates_seen, timeout=30)
    assert ChannelBooking.objects.filter(reservation_id=reservation_id).count() == 1
    assert Hold.objects.filter(source="booking_com", status="held").count() == 1
    assert list(RoomNight.objects.filter(room_type=hotel.room_type, date__in=[night, night + timedelta(days=1)])
                .values_list("available", flat=True)) == [2, 2]
