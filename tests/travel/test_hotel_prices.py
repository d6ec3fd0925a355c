"""The hotel page for chosen dates shows what a price lock would charge, cached or not: before
and after a reservation, a rate edit and a catalogue edit, for several stays."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.errors import Unbookable
from bookings.services.quoting import price_lock_stay
from inventory.models import Rate, RoomNight
from inventory.services import inventory_rate_adjust, inventory_reserve
from inventory.stays import Stay
from tests.bookings.conftest import clean_sandboxes, coins  # noqa: F401 - fixtures
from tests.factories import RoomTypeFactory, UserFactory, sellable_room_type
from tests.travel.page_parsing import parse
from travel.views.pages import cache as page_cache

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

STAYS = [(3, 1, 2, 1), (5, 2, 2, 1), (4, 3, 3, 1), (6, 2, 4, 2)]  # days ahead, nights, guests, rooms


@pytest.fixture
def hotel(coins, clean_sandboxes):  # noqa: F811
    """A hotel with two room types (2 and 3 rooms a night) under a flexible and a saver plan."""
    room_type, flexible, saver = sellable_room_type(total=2)
    suite = RoomTypeFactory(property=room_type.property, code="suite", name="Suite", max_occupancy=4)
    start = timezone.localdate()
    dates = [start + timedelta(days=i) for i in range(30)]
    RoomNight.objects.bulk_create(RoomNight(room_type=suite, date=d, total=3, available=3) for d in dates)
    Rate.objects.bulk_create(Rate(room_type=suite, rate_plan=plan, date=d, double=Decimal(price),
                                  single=Decimal(price) - 10, extra_guest=Decimal("25"))
                             for plan, price in ((flexible, "140.00"), (saver, "126.00")) for d in dates)
    return room_type.property, [room_type, suite], [flexible, saver]


def stay_of(days_ahead, nights, guests, rooms) -> Stay:
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return Stay(check_in, check_in + timedelta(days=nights), rooms=rooms, guests=guests)


def page_prices(client, prop, stay) -> tuple[dict[str, Decimal], str]:
    response = client.get(f"/hotels/{prop.slug}/", {"check_in": stay.check_in.isoformat(),
                                                     "check_out": stay.check_out.isoformat(),
                                                     "guests": stay.guests, "rooms": stay.rooms})
    assert response.status_code == 200
    document = next(d for d in parse(response).json_ld if d.get("@type") == "Hotel")
    return {o["name"]: Decimal(o["price"]) for o in document.get("makesOffer", [])}, response["X-Page-Cache"]


def lock_prices(user, room_types, plans, stay) -> dict[str, Decimal]:
    prices = {}
    for room_type in room_types:
        for plan in plans:
            try:
                lock = price_lock_stay(user=user, room_type=room_type, rate_plan=plan, stay=stay, coin_code="BTC")
            except Unbookable:
                continue
            prices[f"{room_type.name}, {plan.name}"] = lock.subtotal
    return prices


def assert_page_charges_what_a_lock_would(client, user, prop, room_types, plans):
    for stay in map(lambda s: stay_of(*s), STAYS):
        shown, _first = page_prices(client, prop, stay)
        again, second = page_prices(client, prop, stay)
        locked = lock_prices(user, room_types, plans, stay)
        assert locked and shown == again == locked, stay
        assert second == "hit"  # the cached page is what is being compared


def test_the_dated_page_shows_the_lock_price_before_and_after_a_reservation_and_a_rate_edit(client, hotel, settings):
    settings.BOOKINGS_MAX_LIVE_LOCKS = 0  # one traveller locks every room type x plan x stay here
    prop, room_types, plans = hotel
    user = UserFactory()
    assert_page_charges_what_a_lock_would(client, user, prop, room_types, plans)

    # a reservation takes the last rooms of a night several stays include: those offers go
    night = stay_of(*STAYS[1]).check_in
    inventory_reserve(room_type=room_types[0], stay=Stay(night, night + timedelta(days=1), rooms=2, guests=2),
                      source="direct")
    shown, cached = page_prices(client, prop, stay_of(*STAYS[1]))
    assert cached == "miss" and not any(name.startswith(room_types[0].name + ",") for name in shown)
    assert_page_charges_what_a_lock_would(client, user, prop, room_types, plans)

    # a rate edit on a night of the first stay
    rate = Rate.objects.get(room_type=room_types[1], rate_plan=plans[0], date=stay_of(*STAYS[0]).check_in)
    inventory_rate_adjust(rate=rate, version=rate.version, double=Decimal("199.00"), single=Decimal("150.00"))
    shown, cached = page_prices(client, prop, stay_of(*STAYS[0]))
    assert cached == "miss" and shown[f"Suite, {plans[0].name}"] > Decimal("199.00")
    assert_page_charges_what_a_lock_would(client, user, prop, room_types, plans)

    # a catalogue edit of the hotel's taxes
    prop.tax_percent = Decimal("17.50")
    prop.save()
    assert_page_charges_what_a_lock_would(client, user, prop, room_types, plans)


def test_negative_control_a_cache_key_without_the_rows_fingerprint_shows_stale_prices(client, hotel, monkeypatch):
    # given: the page cached under a key that does not change with the data
    monkeypatch.setattr("travel.selectors.hotel_stay_stamp", lambda **kwargs: "constant")
    prop, room_types, plans = hotel
    stay = stay_of(*STAYS[0])
    before, _ = page_prices(client, prop, stay)

    # when: a rate changes
    rate = Rate.objects.get(room_type=room_types[1], rate_plan=plans[0], date=stay.check_in)
    inventory_rate_adjust(rate=rate, version=rate.version, double=Decimal("199.00"))

    # then: the page still shows the old price, which a lock would no longer charge
    after, cached = page_prices(client, prop, stay)
    assert cached == "hit" and after == before
    assert after != lock_prices(UserFactory(), room_types, plans, stay)


def test_a_query_with_more_than_the_stay_or_a_signed_in_visitor_is_never_served_from_the_cache(client, hotel):
    prop, _room_types, _plans = hotel
    stay = stay_of(*STAYS[0])
    query = {"check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(), "guests": 2, "rooms": 1}
    assert client.get(f"/hotels/{prop.slug}/", query)["X-Page-Cache"] == "miss"
    assert client.get(f"/hotels/{prop.slug}/", query)["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in client.get(f"/hotels/{prop.slug}/", {**query, "utm_source": "ads"})
    assert "X-Page-Cache" not in client.get(f"/hotels/{prop.slug}/", {**query, "check_in": "soon"})
    client.force_login(UserFactory())
    assert "X-Page-Cache" not in client.get(f"/hotels/{prop.slug}/", query)
    assert page_cache.MAX_CACHED_NIGHTS >= 14
