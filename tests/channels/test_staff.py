"""Hotel staff and channel reservations: no-shows (reported where the channel's API allows),
scoping to their own hotels, and the admin's pages."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from channels.demo import STAFF_PERMISSIONS
from channels.models import ChannelBooking
from channels.services import NoShowRefused, channel_booking_mark_no_show, listing_pull
from tests.channels.domain import list_hotel, ota  # noqa: F401  (fixture)
from tests.channels.test_inbound import actions, settled, site  # noqa: F401  (fixture)
from tests.factories import PropertyFactory, StaffUserFactory, UserFactory
from tests.fixtures.worker import wait_for

pytestmark = [pytest.mark.django_db(transaction=True)]


def arrived_today(ota, hotel, channel: str) -> ChannelBooking:
    today = hotel.room_type.property.local_today()
    reservation_id = ota.book(channel, today, today + timedelta(days=2))
    if channel in ("traveloka", "trip_com"):
        listing_pull(listing_id=hotel.listings[channel].pk)
    booking = settled(channel, reservation_id, "held")
    assert booking
    return booking


def test_a_no_show_is_reported_to_a_channel_that_has_the_call(site, ota):
    hotel = list_hotel(total=3)
    booking = arrived_today(ota, hotel, "booking_com")
    staff = UserFactory(is_staff=True)

    channel_booking_mark_no_show(booking=booking, by=staff)

    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert wait_for(lambda: "no_show_reported" in actions(booking), timeout=10)
    assert ota.reservation("booking_com", booking.reservation_id).get("no_show") is True
    assert hotel.nights(booking.check_in)[0][0] == 2  # the room was kept for the guest


def test_a_no_show_on_a_channel_without_the_call_is_recorded_as_not_reportable(site, ota):
    hotel = list_hotel(total=3)
    booking = arrived_today(ota, hotel, "traveloka")

    channel_booking_mark_no_show(booking=booking, by=None)

    assert wait_for(lambda: "no_show_not_reportable" in actions(booking), timeout=10)


def test_no_show_is_refused_before_check_in_and_for_a_cancelled_reservation(site, ota):
    hotel = list_hotel(total=3)
    later = hotel.room_type.property.local_today() + timedelta(days=5)
    reservation_id = ota.book("agoda", later, later + timedelta(days=1))
    booking = settled("agoda", reservation_id, "held")

    with pytest.raises(NoShowRefused, match="Check-in is on"):
        channel_booking_mark_no_show(booking=booking, by=None)
    ota.cancel("agoda", reservation_id)
    cancelled = settled("agoda", reservation_id, "cancelled", revision=2)
    with pytest.raises(NoShowRefused, match="cancelled"):
        channel_booking_mark_no_show(booking=cancelled, by=None)
    assert ChannelBooking.objects.get(pk=booking.pk).status == "cancelled"


def test_hotel_staff_see_and_act_only_on_their_own_hotels_channel_reservations(site, ota, client):
    hotel = list_hotel(total=3)
    booking = arrived_today(ota, hotel, "expedia")
    permissions = Permission.objects.filter(content_type__app_label="channels", codename__in=STAFF_PERMISSIONS)
    mine, other = StaffUserFactory(), StaffUserFactory()
    for user in (mine, other):
        user.user_permissions.add(*permissions)
    hotel.room_type.property.staff.add(mine)
    PropertyFactory().staff.add(other)
    changelist = reverse("admin:channels_channelbooking_changelist")

    client.force_login(other)
    assert booking.confirmation not in client.get(changelist).content.decode()
    refused = client.post(changelist, {"action": "mark_no_show", "_selected_action": [booking.pk]})
    assert refused.status_code in (200, 302)
    assert ChannelBooking.objects.get(pk=booking.pk).status == "held"

    client.force_login(mine)
    page = client.get(changelist).content.decode()
    assert booking.confirmation in page
    detail = client.get(reverse("admin:channels_channelbooking_change", args=[booking.pk])).content.decode()
    assert "channel_booking.acknowledged" in detail
    client.post(changelist, {"action": "mark_no_show", "_selected_action": [booking.pk]})
    assert ChannelBooking.objects.get(pk=booking.pk).status == "no_show"
