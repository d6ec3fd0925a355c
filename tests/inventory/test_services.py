"""The first reserve/release: all nights or none, exactly once back, restrictions enforced."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.errors import RestrictionViolated, SoldOut
from inventory.models import Hold, Rate, RoomNight
from inventory.selectors import stay_quote, stay_quotes
from inventory.services import inventory_release, inventory_reserve
from inventory.stays import Stay
from tests.factories import RoomTypeFactory, sellable_room_type

pytestmark = pytest.mark.django_db


def stay_from(days_ahead: int, nights: int, rooms: int = 1) -> Stay:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return Stay(check_in, check_in + timedelta(days=nights), rooms=rooms, guests=2 * rooms)


def availability(room_type, stay):
    return list(RoomNight.objects.filter(room_type=room_type, date__in=stay.dates()).order_by("date")
                .values_list("available", flat=True))


def test_a_stay_whose_third_night_is_sold_out_leaves_the_first_two_untouched():
    # given
    room_type, _, _ = sellable_room_type(total=2)
    stay = stay_from(5, 4)
    RoomNight.objects.filter(room_type=room_type, date=stay.dates()[2]).update(available=0)
    before = [(n.available, n.version) for n in RoomNight.objects.filter(room_type=room_type).order_by("date")]

    # when / then
    with pytest.raises(SoldOut, match="Sold out on"):
        inventory_reserve(room_type=room_type, stay=stay, source="booking_com")
    after = [(n.available, n.version) for n in RoomNight.objects.filter(room_type=room_type).order_by("date")]
    assert after == before
    assert not Hold.objects.exists()


def test_reserve_takes_every_night_and_release_gives_them_back_once():
    room_type, _, _ = sellable_room_type(total=3)
    stay = stay_from(2, 3, rooms=2)

    hold = inventory_reserve(room_type=room_type, stay=stay, source="direct")
    assert availability(room_type, stay) == [1, 1, 1]
    assert hold.nights.count() == 3

    assert inventory_release(hold=hold) is True
    assert inventory_release(hold=hold) is False
    assert availability(room_type, stay) == [3, 3, 3]
    assert hold.status == Hold.Status.RELEASED


def test_closed_to_departure_refuses_the_stay_and_the_quote_says_why():
    room_type, flexible, _ = sellable_room_type()
    stay = stay_from(3, 2)
    RoomNight.objects.filter(room_type=room_type, date=stay.check_out).update(closed_to_departure=True)

    quote = stay_quote(room_type=room_type, rate_plan=flexible, stay=stay)
    with pytest.raises(RestrictionViolated) as refused:
        inventory_reserve(room_type=room_type, stay=stay, source="agoda")

    assert not quote.bookable
    assert quote.reason == refused.value.message == f"Departure is not possible on {stay.check_out:%d %b %Y}."
    assert availability(room_type, stay) == [5, 5]


def test_quote_total_includes_taxes_and_fees():
    room_type, flexible, _ = sellable_room_type(double="100.00")  # tax 10%, fee 5.00 per room-night

    quote = stay_quote(room_type=room_type, rate_plan=flexible, stay=stay_from(1, 2))

    assert quote.bookable
    assert (quote.room_total, quote.taxes, quote.fees, quote.total) == (200, 20, 10, 230)


def test_quotes_for_many_rooms_and_plans_match_one_by_one_quotes_in_two_queries(django_assert_num_queries):
    # given two room types of one hotel, two plans, and a sold-out night on the second room type
    first, flexible, saver = sellable_room_type(double="100.00")
    second = RoomTypeFactory(property=first.property, name="Suite")
    stay = stay_from(1, 3)
    for night in [*stay.dates(), stay.check_out]:
        RoomNight.objects.create(room_type=second, date=night, total=2, available=2)
        for plan in (flexible, saver):
            Rate.objects.create(room_type=second, rate_plan=plan, date=night, single=140, double=150)
    RoomNight.objects.filter(room_type=second, date=stay.check_in).update(available=0)
    pairs = [(first, flexible), (first, saver), (second, flexible), (second, saver)]

    with django_assert_num_queries(2):
        together = stay_quotes(pairs=pairs, stay=stay)

    assert together == [stay_quote(room_type=rt, rate_plan=plan, stay=stay) for rt, plan in pairs]
    assert [q.bookable for q in together] == [True, True, False, False]
    assert together[0].total == 345 and together[1].total < together[0].total  # 3 nights: 300 + 30 tax + 15 fees


@pytest.mark.parametrize("check_in, check_out, rooms, message", [
    (3, 3, 1, "Check-out must be after check-in."),
    (-1, 2, 1, "Check-in cannot be in the past."),
    (1, 32, 1, "A stay can be at most 30 nights."),
    (1, 2, 0, "Choose between 1 and 9 rooms."),
    (1, 2, -2, "Choose between 1 and 9 rooms."),
])
def test_bad_stays_are_refused_with_a_message_before_anything_is_written(check_in, check_out, rooms, message):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        Stay(today + timedelta(days=check_in), today + timedelta(days=check_out), rooms=rooms, guests=max(rooms, 1),
             today=today)
    assert refused.value.messages == [message]


def test_a_reused_reference_or_a_missing_source_is_refused_and_nothing_is_half_written():
    room_type, _, _ = sellable_room_type(total=3)
    stay = stay_from(2, 2)
    inventory_reserve(room_type=room_type, stay=stay, source="direct", reference="R-1")

    with pytest.raises(ValidationError, match="already used"):
        inventory_reserve(room_type=room_type, stay=stay, source="direct", reference="R-1")
    with pytest.raises(ValidationError, match="source"):
        inventory_reserve(room_type=room_type, stay=stay, source="")

    assert availability(room_type, stay) == [2, 2]
    assert Hold.objects.count() == 1
