"""The calendar's range edit: every night of the range through inventory's versioned services, or none."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import OutboxMessage
from inventory.models import Rate, RoomNight
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.factories import RoomTypeFactory, UserFactory, sellable_room_type

pytestmark = pytest.mark.django_db
URL = reverse("admin:inventory_calendar")


@pytest.fixture
def hotel():
    deluxe, flexible, saver = sellable_room_type(total=4, days=40)
    suite = RoomTypeFactory(property=deluxe.property, name="Suite")
    RoomNight.objects.bulk_create(RoomNight(room_type=suite, date=n.date, total=2, available=2)
                                  for n in RoomNight.objects.filter(room_type=deluxe))
    other, _, _ = sellable_room_type(total=4, days=40)
    staff = UserFactory(username="desk", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="inventory", codename__in=["view_roomnight", "change_roomnight"]))
    deluxe.property.staff.add(staff)
    return deluxe, suite, flexible, other, staff


def snapshot(prop):
    nights = RoomNight.objects.filter(room_type__property=prop).order_by("pk")
    rates = Rate.objects.filter(room_type__property=prop).order_by("pk")
    return ([(n.total, n.available, n.min_stay, n.stop_sell, n.closed_to_arrival, n.version) for n in nights],
            [(r.double, r.version) for r in rates])


def events():
    return OutboxMessage.objects.filter(topic="inventory.changed").order_by("pk")


def range_form(prop, first, last, **fields):
    return {"_range": "1", "property": prop.pk, "start": first.isoformat(), "first": first.isoformat(),
            "last": last.isoformat(), **fields}


def test_a_range_edit_writes_every_night_with_its_version_bumped_and_publishes_once_per_change(client, hotel):
    deluxe, _, flexible, _, staff = hotel
    client.force_login(staff)
    first = deluxe.property.local_today() + timedelta(days=2)
    last = first + timedelta(days=9)
    inventory_reserve(room_type=deluxe, stay=Stay(first, first + timedelta(days=1)), source="agoda")
    before = {n.date: n.version for n in RoomNight.objects.filter(room_type=deluxe)}
    seen = events().count()

    response = client.post(URL, range_form(deluxe.property, first, last, room_type=deluxe.pk, total=6, min_stay=2,
                                           stop_sell="", closed_to_arrival="on", closed_to_departure="",
                                           **{f"price_{flexible.pk}": "135.50"}))

    assert response.status_code == 302
    nights = list(RoomNight.objects.filter(room_type=deluxe, date__range=(first, last)).order_by("date"))
    assert len(nights) == 10
    assert all((n.total, n.min_stay, n.closed_to_arrival, n.stop_sell) == (6, 2, True, False) for n in nights)
    assert [n.available for n in nights] == [5] + [6] * 9  # the room sold stays sold
    assert all(n.version == before[n.date] + 1 for n in nights)
    outside = RoomNight.objects.get(room_type=deluxe, date=last + timedelta(days=1))
    assert (outside.total, outside.version) == (4, before[outside.date])
    rates = Rate.objects.filter(room_type=deluxe, rate_plan=flexible, date__range=(first, last))
    assert {(r.double, r.version) for r in rates} == {(Decimal("135.50"), 2)}
    published = list(events()[seen:])
    assert len(published) == 2  # one for the nights, one for the plan's prices
    nights_event, rates_event = (e.payload for e in published)
    assert nights_event["dates"] == [n.date.isoformat() for n in nights]
    assert nights_event["versions"] == [n.version for n in nights]
    assert rates_event["rate_plan_id"] == flexible.pk and len(rates_event["dates"]) == 10


def test_all_room_types_at_once(client, hotel):
    deluxe, suite, _, _, staff = hotel
    client.force_login(staff)
    first = deluxe.property.local_today()

    client.post(URL, range_form(deluxe.property, first, first + timedelta(days=2), stop_sell="on"))

    stopped = RoomNight.objects.filter(stop_sell=True)
    assert sorted(stopped.values_list("room_type_id", flat=True)) == [deluxe.pk] * 3 + [suite.pk] * 3


@pytest.mark.parametrize(("fields", "message"), [
    ({"total": "3", "last_days": -1}, "The last night cannot be before the first."),
    ({"total": "-1"}, "Ensure this value is greater than or equal to 0."),
    ({"total": "1000"}, "Ensure this value is less than or equal to 999."),
    ({"total": "abc"}, "Enter a whole number."),
    ({"price": "0"}, "Ensure this value is greater than or equal to 0.01."),
    ({"price": "12.345"}, "Ensure that there are no more than 2 decimal places."),
    ({}, "Nothing to change"),
    ({"total": "0"}, "rooms are already sold on"),  # fewer rooms than sold, on one night of the range
    ({"total": "3", "last_days": 60}, "is not loaded"),  # beyond the loaded nights
    ({"room_type": "other"}, "Select a valid choice."),  # another hotel's room type
])
def test_bad_input_is_a_form_error_and_nothing_is_written(client, hotel, fields, message):
    deluxe, _, flexible, other, staff = hotel
    client.force_login(staff)
    first = deluxe.property.local_today() + timedelta(days=1)
    inventory_reserve(room_type=deluxe, stay=Stay(first + timedelta(days=3), first + timedelta(days=4)), source="agoda")
    before, other_before, seen = snapshot(deluxe.property), snapshot(other.property), events().count()
    post = {"total": fields.get("total", "")}
    if "price" in fields:
        post[f"price_{flexible.pk}"] = fields["price"]
    if fields.get("room_type") == "other":
        post.update(room_type=other.pk, total="1")

    response = client.post(URL, range_form(deluxe.property, first, first + timedelta(days=fields.get("last_days", 6)),
                                           **post))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert snapshot(deluxe.property) == before and snapshot(other.property) == other_before
    assert events().count() == seen


def test_the_range_of_another_hotel_is_a_404(client, hotel):
    _, _, _, other, staff = hotel
    client.force_login(staff)
    day = other.property.local_today()
    before = snapshot(other.property)

    response = client.post(URL, range_form(other.property, day, day, total="1"))

    assert response.status_code == 404
    assert snapshot(other.property) == before
