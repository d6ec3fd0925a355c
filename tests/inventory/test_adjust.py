"""Staff edits: a stale screen gets a conflict, never a silent overwrite; sold rooms stay sold."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import OutboxMessage
from inventory.errors import SoldOut, VersionConflict
from inventory.models import Rate, RoomNight
from inventory.services import inventory_adjust, inventory_rate_adjust, inventory_reserve
from inventory.stays import Stay
from tests.factories import sellable_room_type

pytestmark = pytest.mark.django_db


def night_of(room_type, days_ahead=4):
    return RoomNight.objects.get(room_type=room_type, date=timezone.localdate() + timedelta(days=days_ahead))


def test_an_edit_based_on_a_version_a_booking_changed_meanwhile_is_a_conflict():
    room_type, _, _ = sellable_room_type(total=5)
    seen = night_of(room_type)  # the editor loads the grid
    inventory_reserve(room_type=room_type, stay=Stay(seen.date, seen.date + timedelta(days=1)), source="agoda")

    with pytest.raises(VersionConflict, match="changed by someone else"):
        inventory_adjust(room_type=room_type, night=seen.date, version=seen.version, total=8)

    assert (night_of(room_type).total, night_of(room_type).available) == (5, 4)


def test_raising_the_total_keeps_sold_rooms_sold_and_publishes_the_change():
    room_type, _, _ = sellable_room_type(total=5)
    seen = night_of(room_type)
    inventory_reserve(room_type=room_type, stay=Stay(seen.date, seen.date + timedelta(days=1), rooms=2, guests=2),
                      source="expedia")
    seen = night_of(room_type)

    night = inventory_adjust(room_type=room_type, night=seen.date, version=seen.version, total=7, source="staff:ann")

    assert (night.total, night.available, night.version) == (7, 5, seen.version + 1)
    event = OutboxMessage.objects.filter(topic="inventory.changed").latest("pk")
    assert event.payload == {"room_type_id": room_type.pk, "property_id": room_type.property_id,
                             "dates": [seen.date.isoformat()], "versions": [night.version], "source": "staff:ann"}


def test_the_total_cannot_go_below_the_rooms_already_sold():
    room_type, _, _ = sellable_room_type(total=5)
    seen = night_of(room_type)
    inventory_reserve(room_type=room_type, stay=Stay(seen.date, seen.date + timedelta(days=1), rooms=3, guests=3),
                      source="direct")
    seen = night_of(room_type)

    with pytest.raises(ValidationError, match="3 rooms are already sold"):
        inventory_adjust(room_type=room_type, night=seen.date, version=seen.version, total=2)
    assert night_of(room_type).total == 5


def test_stop_sell_and_restrictions_apply_to_the_next_reservation():
    room_type, _, _ = sellable_room_type(total=5)
    seen = night_of(room_type)
    inventory_adjust(room_type=room_type, night=seen.date, version=seen.version, stop_sell=True, min_stay=2)

    with pytest.raises(SoldOut):
        inventory_reserve(room_type=room_type, stay=Stay(seen.date - timedelta(days=1), seen.date + timedelta(days=1)),
                          source="direct")
    with pytest.raises(ValidationError, match="Minimum stay cannot be longer"):
        inventory_adjust(room_type=room_type, night=seen.date, version=seen.version + 1, min_stay=5, max_stay=3)


def test_a_rate_edit_on_a_stale_version_is_a_conflict():
    room_type, flexible, _ = sellable_room_type()
    rate = Rate.objects.filter(room_type=room_type, rate_plan=flexible).first()
    version = rate.version
    inventory_rate_adjust(rate=rate, version=version, double=Decimal("150"))

    with pytest.raises(VersionConflict):
        inventory_rate_adjust(rate=rate, version=version, double=Decimal("90"))
    rate.refresh_from_db()
    assert (rate.double, rate.version) == (Decimal("150"), version + 1)
