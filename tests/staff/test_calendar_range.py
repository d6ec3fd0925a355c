"""The calendar's range edit: every night of the range through inventory's versioned services, or none."""
import re
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


def one_night_link(html: str, room_type, night) -> str:
    """The edit link of ``room_type``'s cell on ``night`` in the grid, as the browser would follow it."""
    found = re.search(rf'<a class="marks" href="(\?[^"#]*room_type={room_type.pk}&amp;night={night:%Y-%m-%d})"',
                      html)
    assert found, f"no edit link for {room_type.name} on {night}"
    return URL + found.group(1).replace("&amp;", "&")


def test_a_nights_restrictions_link_opens_the_range_form_for_that_night_alone(client, hotel):
    deluxe, suite, _, _, staff = hotel
    client.force_login(staff)
    night = deluxe.property.local_today() + timedelta(days=3)

    grid = client.get(URL, {"property": deluxe.property.pk}).content.decode()
    form = client.get(one_night_link(grid, suite, night)).content.decode()

    assert "<legend>Change one night</legend>" in form
    assert f"Suite on {night:%a} {night.day} {night:%b %Y}, now: 2 rooms (2 left), minimum stay 1." in form
    assert f'name="first" value="{night:%Y-%m-%d}"' in form and f'name="last" value="{night:%Y-%m-%d}"' in form
    assert f'<option value="{suite.pk}" selected>{suite}</option>' in form
    assert re.search(r'<input type="number" name="min_stay"[^>]* autofocus', form)  # the keyboard lands there


def test_a_one_night_edit_changes_that_night_only_with_one_version_bump(client, hotel):
    deluxe, suite, _, _, staff = hotel
    client.force_login(staff)
    night = deluxe.property.local_today() + timedelta(days=3)
    grid = client.get(URL, {"property": deluxe.property.pk}).content.decode()
    client.get(one_night_link(grid, suite, night))
    before, seen = snapshot(deluxe.property), events().count()
    versions = {(n.room_type_id, n.date): n.version for n in RoomNight.objects.all()}

    response = client.post(URL, range_form(deluxe.property, night, night, room_type=suite.pk, min_stay="3",
                                           stop_sell="on", closed_to_arrival="on", closed_to_departure="off"),
                           follow=True)

    assert "Saved 1 change from" in response.content.decode()
    edited = RoomNight.objects.get(room_type=suite, date=night)
    assert (edited.min_stay, edited.stop_sell, edited.closed_to_arrival, edited.closed_to_departure) == (3, True, True,
                                                                                                         False)
    assert edited.version == versions[(suite.pk, night)] + 1
    changed = [n for n in RoomNight.objects.all() if n.version != versions[(n.room_type_id, n.date)]]
    assert changed == [edited]  # the neighbours, the other room type and the other hotel are untouched
    assert snapshot(deluxe.property)[1] == before[1]  # prices too
    assert events().count() == seen + 1


@pytest.mark.parametrize("query", [{"room_type": "x1", "night": "2026-01-01"}, {"night": "not-a-date"},
                                   {"room_type": "999999", "night": "2026-01-01"}])
def test_a_one_night_link_for_no_such_night_says_so_and_shows_the_usual_form(client, hotel, query):
    deluxe, _, _, other, staff = hotel
    client.force_login(staff)
    query = {**query, "room_type": query.get("room_type", str(other.pk))}  # no room type of this hotel

    response = client.get(URL, {"property": deluxe.property.pk, **query})

    html = response.content.decode()
    assert response.status_code == 200
    assert "That night is not one of this property&#x27;s loaded nights" in html
    assert "<legend>Change a range of nights</legend>" in html
