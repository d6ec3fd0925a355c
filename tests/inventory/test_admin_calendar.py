"""The staff calendar grid: scoped to the staff's own properties, every edit through adjust()."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from inventory.models import RoomNight
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.factories import UserFactory, sellable_room_type

pytestmark = pytest.mark.django_db
URL = reverse("admin:inventory_calendar")


@pytest.fixture
def hotels():
    mine, _, _ = sellable_room_type(total=4, days=20)
    theirs, _, _ = sellable_room_type(total=4, days=20)
    staff = UserFactory(username="front-desk", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="inventory", codename__in=["view_roomnight", "change_roomnight"]))
    mine.property.staff.add(staff)
    return mine, theirs, staff


def cell_form(night, **changes):
    values = {"total": night.total, "min_stay": night.min_stay, "stop_sell": night.stop_sell,
              "closed_to_arrival": night.closed_to_arrival, "closed_to_departure": night.closed_to_departure}
    shown = "|".join(str(int(v)) for v in values.values())
    values.update(changes)
    form = {f"c-{night.pk}-version": night.version, f"c-{night.pk}-shown": shown,
            f"c-{night.pk}-total": values["total"], f"c-{night.pk}-min_stay": values["min_stay"]}
    for flag in ("stop_sell", "closed_to_arrival", "closed_to_departure"):
        if values[flag]:
            form[f"c-{night.pk}-{flag}"] = "on"
    return form


def test_staff_see_the_grid_of_their_own_property_only(client, hotels):
    mine, theirs, staff = hotels
    client.force_login(staff)

    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.property.name in html and theirs.property.name not in html
    assert html.count('name="c-') > 14 * 4  # 14 nights, several inputs each
    assert client.get(URL, {"property": theirs.property.pk}).status_code == 404
    assert client.get(URL, {"property": "x"}).status_code == 404


def test_an_edit_goes_through_adjust_and_a_stale_cell_is_reported_not_overwritten(client, hotels):
    mine, _, staff = hotels
    client.force_login(staff)
    day = timezone.localdate() + timedelta(days=3)
    edited = RoomNight.objects.get(room_type=mine, date=day)
    stale = RoomNight.objects.get(room_type=mine, date=day + timedelta(days=1))
    # a booking takes a room on the second night while the editor has the grid open
    inventory_reserve(room_type=mine, stay=Stay(stale.date, stale.date + timedelta(days=1)), source="agoda")

    response = client.post(URL, {"property": mine.property.pk, "start": day.isoformat(),
                                 **cell_form(edited, total=6, stop_sell=True), **cell_form(stale, total=9)},
                           follow=True)

    texts = [str(m) for m in response.context["messages"]]
    assert "Saved 1 change." in texts
    assert any("changed by someone else" in t for t in texts)
    edited.refresh_from_db()
    stale.refresh_from_db()
    assert (edited.total, edited.available, edited.stop_sell) == (6, 6, True)
    assert (stale.total, stale.available) == (4, 3)
    event = OutboxMessage.objects.filter(topic="inventory.changed").latest("pk")
    assert event.payload["source"] == "staff:front-desk" and event.payload["dates"] == [day.isoformat()]


def test_bad_input_in_a_cell_is_a_message_not_an_error_page(client, hotels):
    mine, _, staff = hotels
    client.force_login(staff)
    night = RoomNight.objects.get(room_type=mine, date=timezone.localdate() + timedelta(days=2))
    form = {"property": mine.property.pk, **cell_form(night)}
    form[f"c-{night.pk}-total"] = "lots"

    response = client.post(URL, form, follow=True)

    assert response.status_code == 200
    assert any("whole numbers" in str(m) for m in response.context["messages"])
    night.refresh_from_db()
    assert night.total == 4


def test_staff_cannot_edit_another_propertys_nights_by_posting_their_ids(client, hotels):
    mine, theirs, staff = hotels
    client.force_login(staff)
    night = RoomNight.objects.get(room_type=theirs, date=timezone.localdate() + timedelta(days=2))

    assert client.post(URL, {"property": theirs.property.pk, **cell_form(night, total=0)}).status_code == 404
    client.post(URL, {"property": mine.property.pk, **cell_form(night, total=0)})

    night.refresh_from_db()
    assert night.total == 4


def test_a_price_edit_goes_through_the_rate_service_with_its_version(client, hotels):
    from decimal import Decimal

    from inventory.models import Rate

    mine, _, staff = hotels
    client.force_login(staff)
    day = timezone.localdate() + timedelta(days=5)
    rate = Rate.objects.get(room_type=mine, rate_plan__code="flex", date=day)
    page = client.get(URL, {"start": day.isoformat()})
    assert f'name="r-{rate.pk}-double"' in page.content.decode()

    form = {"property": mine.property.pk, f"r-{rate.pk}-version": rate.version,
            f"r-{rate.pk}-shown": str(rate.double), f"r-{rate.pk}-double": "135.50"}
    client.post(URL, form)
    again = client.post(URL, {**form, f"r-{rate.pk}-double": "99"}, follow=True)  # same stale version

    rate.refresh_from_db()
    assert rate.double == Decimal("135.50")
    assert any("changed by someone else" in str(m) for m in again.context["messages"])


# --- malformed input: a message, never a 500, nothing written ------------------------------------

def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("start", ["9999-12-31", "9999-12-20", "0001-01-01", "0001-01-10"])
def test_a_start_date_at_the_edge_of_the_calendar_is_a_message(client, hotels, start):
    mine, _, staff = hotels
    client.force_login(staff)

    response = client.get(URL, {"property": mine.property.pk, "start": start}, follow=True)

    assert response.status_code == 200
    assert any("start date" in m for m in messages_of(response))
    assert response.context["start"] == timezone.localdate()


@pytest.mark.parametrize("price", ["1e9", "100000000", "0.001", "12.345", "1e-9", "0", "-5", "Infinity", "sNaN"])
def test_a_price_out_of_range_or_too_precise_is_a_message_and_nothing_is_written(client, hotels, price):
    from inventory.models import Rate

    mine, _, staff = hotels
    client.force_login(staff)
    rate = Rate.objects.filter(room_type=mine).first()
    form = {"property": mine.property.pk, f"r-{rate.pk}-version": rate.version,
            f"r-{rate.pk}-shown": str(rate.double), f"r-{rate.pk}-double": price}

    response = client.post(URL, form, follow=True)

    assert response.status_code == 200
    assert any("price" in m.lower() for m in messages_of(response)), messages_of(response)
    assert Rate.objects.get(pk=rate.pk).double == rate.double
    assert Rate.objects.get(pk=rate.pk).version == rate.version


@pytest.mark.parametrize("field, value", [("total", "99999999999"), ("min_stay", "99999999999"),
                                          ("total", "-1"), ("total", "٣")])
def test_a_room_count_out_of_range_is_a_message_and_nothing_is_written(client, hotels, field, value):
    mine, _, staff = hotels
    client.force_login(staff)
    night = RoomNight.objects.get(room_type=mine, date=timezone.localdate() + timedelta(days=2))
    form = {"property": mine.property.pk, **cell_form(night)}
    form[f"c-{night.pk}-{field}"] = value

    response = client.post(URL, form, follow=True)

    assert response.status_code == 200
    assert messages_of(response)
    assert RoomNight.objects.get(pk=night.pk).version == night.version


@pytest.mark.parametrize("name", ["c-{pk}-shown", "r-{pk}-shown"])
@pytest.mark.parametrize("digits", ["١٢", "²", "١²", "𝟗"])
def test_non_ascii_digits_in_a_posted_field_name_are_ignored(client, hotels, name, digits):
    mine, _, staff = hotels
    client.force_login(staff)
    night = RoomNight.objects.get(room_type=mine, date=timezone.localdate() + timedelta(days=2))
    form = {"property": mine.property.pk, name.format(pk=digits): "1|1|0|0|0",
            name.format(pk=digits).replace("shown", "total"): "1"}

    response = client.post(URL, form, follow=True)

    assert response.status_code == 200
    assert messages_of(response) == ["Nothing changed."]
    assert RoomNight.objects.get(pk=night.pk).version == night.version


@pytest.mark.parametrize("value", ["²", "١", "𝟗"])
def test_non_ascii_digits_as_the_property_are_a_404(client, hotels, value):
    _, _, staff = hotels
    client.force_login(staff)

    assert client.get(URL, {"property": value}).status_code == 404
    assert client.post(URL, {"property": value}).status_code == 404


@pytest.mark.parametrize("query", [{"date__year": "99999999999"}, {"date__year": "9999", "date__month": "12"},
                                   {"date__year": "9999", "date__month": "12", "date__day": "31"},
                                   {"date__year": "0"}])
def test_an_impossible_date_drill_down_in_an_admin_list_is_a_message(client, hotels, query):
    _, _, staff = hotels
    client.force_login(staff)

    response = client.get(reverse("admin:inventory_roomnight_changelist"), query, follow=True)

    assert response.status_code == 200
    assert any("out of range" in m or "date" in m.lower() for m in messages_of(response)), messages_of(response)
