"""The hotel search page: own hotels (inventory) merged with partner offers (sandbox over HTTP)."""
import re
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone

from catalogue.models import Amenity
from inventory.models import RoomNight
from inventory.selectors import stay_quote
from inventory.stays import Stay
from tests.factories import DestinationFactory, PropertyFactory, RoomTypeFactory, sellable_room_type
from tests.suppliers.helpers import configure

pytestmark = pytest.mark.django_db

PRICE = re.compile(r'from <strong>USD ([0-9.]+)</strong>')
NAME = re.compile(r'<h2 class="result-name"><a href="[^"]*">([^<]+)</a>')


@pytest.fixture
def bali():
    return DestinationFactory(name="Bali", slug="bali")


def own_hotel(destination, *, name, stars=4, double="100.00", amenities=()):
    prop = PropertyFactory(destination=destination, name=name, slug=name.lower().replace(" ", "-"), star_rating=stars)
    for code in amenities:
        prop.amenities.add(Amenity.objects.get_or_create(code=code, defaults={"name": code.title()})[0])
    room_type, flexible, saver = sellable_room_type(room_type=RoomTypeFactory(property=prop), double=double)
    return prop, room_type, saver


def stay_params(days_ahead=10, nights=2, **extra):
    check_in = timezone.localdate() + timedelta(days=days_ahead)
    return {"destination": "bali", "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(), "guests": "2", "rooms": "1"} | extra


def test_results_merge_our_hotels_priced_from_inventory_with_labelled_partner_offers(client, bali, suppliers_sandbox):
    prop, room_type, saver = own_hotel(bali, name="Saffron Test Resort")
    params = stay_params()

    response = client.get("/search/", params)

    html = response.content.decode()
    assert response.status_code == 200
    stay = Stay(timezone.localdate() + timedelta(days=10), timezone.localdate() + timedelta(days=12), rooms=1, guests=2)
    quote = stay_quote(room_type=room_type, rate_plan=saver, stay=stay)  # the cheaper plan
    assert f"USD {quote.total} total" in html
    assert f"from <strong>USD {quote.per_night}</strong>" in html
    assert f'href="/hotels/{prop.slug}/?check_in={params["check_in"]}&amp;check_out={params["check_out"]}' \
           f'&amp;guests=2&amp;rooms=1"' in html
    assert html.count("Partner offer · sold by Sandbox Travel Supply") == 6
    assert re.search(r'href="/book/offer/\?kind=hotel&amp;offer_id=h\.bali\.[^"]+"', html)
    assert '<meta name="robots" content="noindex,follow">' in html
    assert re.search(r"<title>Hotels in Bali, \d+ \w+–\d+ \w+ \d{4} · Lotus Trails</title>", html)
    assert '<meta name="description" content="7 hotels in Bali for 2 guests' in html


def test_a_hotel_sold_out_on_one_night_is_not_offered(client, bali, suppliers_sandbox):
    _, room_type, _ = own_hotel(bali, name="Full House Hotel")
    own_hotel(bali, name="Open Door Hotel")
    RoomNight.objects.filter(room_type=room_type, date=timezone.localdate() + timedelta(days=11)).update(available=0)

    html = client.get("/search/", stay_params()).content.decode()

    assert "Open Door Hotel" in html
    assert "Full House Hotel" not in html


def test_filters_by_stars_amenities_and_price_apply_to_both_sources(client, bali, suppliers_sandbox):
    own_hotel(bali, name="Five Star Pool", stars=5, double="300.00", amenities=["pool"])
    own_hotel(bali, name="Three Star Plain", stars=3, double="80.00")

    five = client.get("/search/", stay_params(stars="5")).content.decode()
    pool = client.get("/search/", stay_params(amenities="pool")).content.decode()
    cheap = client.get("/search/", stay_params(price_max="150")).content.decode()

    assert "Five Star Pool" in five and "Three Star Plain" not in five
    assert re.findall(r"(\d)-star", five) and set(re.findall(r"(\d)-star", five)) == {"5"}
    assert "Five Star Pool" in pool and "Three Star Plain" not in pool
    assert "Three Star Plain" in cheap and "Five Star Pool" not in cheap
    assert all(Decimal(p) <= 150 for p in PRICE.findall(cheap))


def test_sorting_by_price_and_by_name(client, bali, suppliers_sandbox):
    own_hotel(bali, name="Zebra Lodge", double="60.00")
    own_hotel(bali, name="Aardvark Palace", double="400.00")

    by_price = [Decimal(p) for p in PRICE.findall(client.get("/search/", stay_params(sort="price")).content.decode())]
    by_price_desc = [Decimal(p) for p in PRICE.findall(
        client.get("/search/", stay_params(sort="price_desc")).content.decode())]
    names = NAME.findall(client.get("/search/", stay_params(sort="name")).content.decode())

    assert len(by_price) == 8 and by_price == sorted(by_price)
    assert by_price_desc == sorted(by_price, reverse=True)
    assert names == sorted(names, key=str.casefold) and names[0] == "Aardvark Palace"


def test_pagination_shows_ten_per_page_and_keeps_the_query(client, bali, suppliers_sandbox):
    for n in range(5):
        own_hotel(bali, name=f"Paged Hotel {n}")

    first = client.get("/search/", stay_params()).content.decode()
    second = client.get("/search/", stay_params(page="2")).content.decode()

    assert len(NAME.findall(first)) == 10 and len(NAME.findall(second)) == 1
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert "destination=bali" in re.search(r'rel="next" href="([^"]+)"', first).group(1)
    assert set(NAME.findall(first)).isdisjoint(NAME.findall(second))


@pytest.mark.parametrize("override, message", [
    ({"check_in": "31/12/2026"}, "Enter the check-in date as YYYY-MM-DD."),
    ({"check_out": "not-a-date"}, "Enter the check-out date as YYYY-MM-DD."),
    ({"check_out": (timezone.localdate() + timedelta(days=5)).isoformat()}, "Check-out must be after check-in."),
    ({"guests": "500"}, "Ensure this value is less than or equal to 72."),
    ({"guests": "9", "rooms": "1"}, "9 guests need at least 2 rooms: a room sleeps at most 8."),
    ({"rooms": "0"}, "Ensure this value is greater than or equal to 1."),
    ({"price_min": "300", "price_max": "100"}, "The maximum price must not be below the minimum."),
])
def test_bad_input_re_renders_the_form_with_a_clear_message(client, bali, override, message):
    response = client.get("/search/", stay_params(**override))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert 'role="search"' in html and 'name="destination"' in html


def test_a_bare_search_page_shows_the_form(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "<title>Search hotels · Lotus Trails</title>" in response.content.decode()


def test_a_slow_supplier_leaves_our_hotels_with_a_message(client, bali, suppliers_sandbox, settings):
    own_hotel(bali, name="Always Here Hotel")
    settings.SUPPLIER_SEARCH_TIMEOUT = 0.3
    configure(suppliers_sandbox, latency_ms=1500)

    response = client.get("/search/", stay_params())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Always Here Hotel" in html
    assert "Partner offers are unavailable right now" in html
    assert "Partner offer ·" not in html


def test_a_rate_limited_supplier_leaves_our_hotels_with_a_message(client, bali, suppliers_sandbox):
    own_hotel(bali, name="Always Here Hotel")
    configure(suppliers_sandbox, rate_limit_per_second=1)
    httpx.get(f"{suppliers_sandbox.url}/activities", params={"city": "x", "date": "2030-01-01"})  # uses the quota

    html = client.get("/search/", stay_params()).content.decode()

    assert "Always Here Hotel" in html
    assert "Partner offers are unavailable right now" in html


@pytest.mark.parametrize("destination", ["!!!", "Atlantis", "<script>alert(1)</script>"])
def test_an_unknown_or_odd_destination_answers_a_page_never_a_500(client, suppliers_sandbox, destination):
    response = client.get("/search/", stay_params(destination=destination))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "0 hotels we sell directly" in html


def test_sorting_by_stars_puts_five_star_hotels_first(client, bali, suppliers_sandbox):
    own_hotel(bali, name="Two Star Hostel", stars=2)
    own_hotel(bali, name="Five Star Palace", stars=5)

    stars = [int(s) for s in re.findall(r"(\d)-star", client.get("/search/", stay_params(sort="stars")).content.decode())]

    assert len(stars) == 8 and stars == sorted(stars, reverse=True)
