"""Dates are the hotel's: a check-in is in the past by the hotel's calendar, not the server's."""
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from inventory.cache import hot_cache
from inventory.models import Hold, RoomNight
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.factories import RoomTypeFactory, UserFactory, sellable_room_type

pytestmark = pytest.mark.django_db

# 18:30 UTC on 10 March 2026: already 01:30 on 11 March in Bangkok (UTC+7).
BANGKOK_AFTER_MIDNIGHT = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)
# 06:30 UTC on 11 March 2026: still 23:30 on 10 March in Los Angeles (UTC-7 since 8 March).
LOS_ANGELES_BEFORE_MIDNIGHT = datetime(2026, 3, 11, 6, 30, tzinfo=UTC)


def hotel_room(zone: str):
    """A room type of a hotel in ``zone`` with nights on sale from 8 to 17 March 2026."""
    with time_machine.travel(datetime(2026, 3, 8, 12, tzinfo=UTC), tick=False):
        room_type, _flexible, _saver = sellable_room_type(
            room_type=RoomTypeFactory(property__destination__timezone=zone), days=10)
    return room_type


def reserve(room_type, check_in: date) -> Hold:
    stay = Stay(check_in, check_in + timedelta(days=1))
    return inventory_reserve(room_type=room_type, stay=stay, source="test")


def test_a_check_in_on_a_date_already_over_at_the_hotel_is_refused():
    bangkok = hotel_room("Asia/Bangkok")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        with pytest.raises(ValidationError) as refused:
            reserve(bangkok, date(2026, 3, 10))
        hold = reserve(bangkok, date(2026, 3, 11))

    assert refused.value.messages == ["Check-in cannot be in the past."]
    assert list(Hold.objects.values_list("check_in", flat=True)) == [hold.check_in] == [date(2026, 3, 11)]


def test_a_check_in_today_at_the_hotel_is_accepted_when_utc_is_already_on_the_next_day():
    los_angeles = hotel_room("America/Los_Angeles")

    with time_machine.travel(LOS_ANGELES_BEFORE_MIDNIGHT, tick=False):
        hold = reserve(los_angeles, date(2026, 3, 10))
        with pytest.raises(ValidationError, match="in the past"):
            reserve(los_angeles, date(2026, 3, 9))

    assert hold.check_in == date(2026, 3, 10)


def test_the_same_instant_is_a_different_today_for_each_hotel():
    bangkok, los_angeles = hotel_room("Asia/Bangkok"), hotel_room("America/Los_Angeles")

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        assert (bangkok.property.local_today(), los_angeles.property.local_today()) == (
            date(2026, 3, 11), date(2026, 3, 10))
        assert reserve(los_angeles, date(2026, 3, 10)).check_in == date(2026, 3, 10)
        with pytest.raises(ValidationError, match="in the past"):
            reserve(bangkok, date(2026, 3, 10))


def test_the_staff_calendar_opens_on_the_hotels_today(client):
    bangkok = hotel_room("Asia/Bangkok")
    client.force_login(UserFactory(username="chain-admin", is_staff=True, is_superuser=True))

    with time_machine.travel(BANGKOK_AFTER_MIDNIGHT, tick=False):
        page = client.get(reverse("admin:inventory_calendar"), {"property": bangkok.property.pk})

    assert page.status_code == 200
    assert f"Inventory of {bangkok.property.name} from 11 Mar 2026" in page.content.decode()


@pytest.mark.redis
def test_the_cache_rebuild_covers_tonight_at_a_hotel_still_on_yesterdays_date():
    los_angeles = hotel_room("America/Los_Angeles")
    tonight = RoomNight.objects.get(room_type=los_angeles, date=date(2026, 3, 10))

    with time_machine.travel(LOS_ANGELES_BEFORE_MIDNIGHT, tick=False):  # 10 March there, 11 March in UTC
        call_command("inventory_cache_rebuild", "--days", "3", stdout=StringIO())

    cached = hot_cache().read([(los_angeles.pk, tonight.date)])
    assert cached == {(los_angeles.pk, tonight.date): (tonight.version, tonight.available)}
