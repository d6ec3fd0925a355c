"""Inventory never runs out: a new room type opens over the horizon, the daily roll adds what
came within it, once."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from catalogue.models import RoomType
from core.models import OutboxMessage
from inventory.models import Rate, RoomNight
from inventory.tasks import horizon_roll
from tests.factories import UserFactory, sellable_room_type

pytestmark = pytest.mark.django_db
HORIZON = 40


@pytest.fixture(autouse=True)
def _short_horizon(settings):
    settings.INVENTORY_HORIZON_DAYS = HORIZON


def horizon_events():
    return OutboxMessage.objects.filter(topic="inventory.changed", payload__source__startswith="horizon")


def test_a_room_type_added_in_the_admin_has_nights_and_rates_over_the_whole_horizon(client):
    existing, flexible, saver = sellable_room_type(days=HORIZON, double="100.00")
    prop = existing.property
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.post(reverse("admin:catalogue_roomtype_add"), {
        "property": prop.pk, "code": "loft", "name": "Loft", "max_occupancy": 2, "bed": "", "size_sqm": ""})

    assert response.status_code == 302, response.content.decode()[:2000]
    loft = RoomType.objects.get(property=prop, code="loft")
    today = prop.local_today()
    nights = RoomNight.objects.filter(room_type=loft).order_by("date")
    assert [n.date for n in nights] == [today + timedelta(days=i) for i in range(HORIZON)]
    assert {n.total for n in nights} == {0}  # nothing sells until staff open the rooms
    for plan in (flexible, saver):
        assert Rate.objects.filter(room_type=loft, rate_plan=plan).count() == HORIZON
    event = horizon_events().get(payload__room_type_id=loft.pk)
    assert len(event.payload["dates"]) == HORIZON


def test_the_daily_roll_adds_the_days_that_came_within_the_horizon_once():
    room_type, _, _ = sellable_room_type(days=HORIZON, total=7, double="100.00")
    prop = room_type.property
    horizon_roll()  # the hotel's today may already be the server's tomorrow
    before = RoomNight.objects.filter(room_type=room_type).count()
    events = horizon_events().count()

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        today = prop.local_today()
        added = horizon_roll()
        again = horizon_roll()

    assert (added, again) == (3, 0)
    dates = list(RoomNight.objects.filter(room_type=room_type).values_list("date", flat=True).order_by("date"))
    assert dates[-1] == today + timedelta(days=HORIZON - 1)
    assert len(dates) == len(set(dates)) == before + 3
    new = RoomNight.objects.filter(room_type=room_type, date__gt=dates[-4])
    assert [(n.total, n.available, n.version) for n in new] == [(7, 7, 1)] * 3
    assert Rate.objects.filter(room_type=room_type, date__gt=dates[-4]).count() == 3 * 2  # both plans
    assert horizon_events().count() == events + 1  # one event for the three new nights, none for the rerun


def test_the_roll_copies_the_same_weekday_price_of_the_week_before():
    room_type, flexible, _ = sellable_room_type(days=HORIZON, double="100.00")
    last = RoomNight.objects.filter(room_type=room_type).order_by("-date").first().date
    Rate.objects.filter(room_type=room_type, rate_plan=flexible, date=last - timedelta(days=6)).update(double=150)

    with time_machine.travel(timezone.now() + timedelta(days=3)):
        horizon_roll()

    rolled = Rate.objects.get(room_type=room_type, rate_plan=flexible, date=last + timedelta(days=1))
    plain = Rate.objects.get(room_type=room_type, rate_plan=flexible, date=last + timedelta(days=2))
    assert (rolled.double, plain.double) == (150, 100)



def test_a_rate_plan_added_in_the_admin_is_priced_over_the_horizon_like_the_others(client):
    room_type, flexible, _ = sellable_room_type(days=HORIZON, double="100.00")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:inventory_rateplan_add"), {
        "property": room_type.property.pk, "code": "member", "name": "Members", "refundable": "on",
        "free_cancellation_days": 2})

    assert response.status_code == 302, response.content.decode()[:2000]
    member = room_type.property.rate_plans.get(code="member")
    rates = Rate.objects.filter(room_type=room_type, rate_plan=member)
    assert rates.count() == HORIZON
    flexible_prices = dict(Rate.objects.filter(room_type=room_type, rate_plan=flexible).values_list("date", "double"))
    assert all(flexible_prices[r.date] == r.double for r in rates)
