"""The public pages as a traveller (and a crawler) gets them from the server."""
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from catalogue.models import PropertySlugRedirect
from inventory.models import RoomNight
from inventory.selectors import stay_quote
from inventory.stays import Stay
from tests.travel.page_parsing import parse
from tests.travel.site_fixtures import world  # noqa: F401 - fixture

OFFER = "https://schema.org/Offer"


@pytest.mark.django_db
def test_home_has_a_search_form_that_gets_search_with_the_stay_fields(client, world):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form class="search-form" method="get" action="/search/"' in html
    for name in ("destination", "check_in", "check_out", "guests", "rooms"):
        assert f'name="{name}"' in html
    assert '<option value="lombok">Lombok, Indonesia</option>' in html


@pytest.mark.django_db
def test_destination_page_lists_hotels_with_stars_and_a_from_price(client, world):
    response = client.get("/destinations/lombok/")

    page = parse(response)
    assert response.status_code == 200
    assert "Saffron Test Lombok" in page.html
    assert 'aria-label="5-star hotel"' in page.html
    # the lowest night on sale: the saver double 111.11 (123.45 x 0.9) + 11% tax (12.22) + 3.50 fee
    low = page.items_of_type("https://schema.org/AggregateOffer")[0]["props"]["lowPrice"]
    assert low == ["126.83"]


@pytest.mark.django_db
def test_hotel_page_without_dates_shows_content_and_asks_for_dates(client, world):
    response = client.get("/hotels/saffron-test/")

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Rooms open onto the sea", "Outdoor pool", "Spa", "Jl. Raya Senggigi 1", "from 14:00",
                 "until 12:00", "Deluxe Room", "Suite", "/static/img/hotels/photo-1.svg"):
        assert text in html
    assert 'action="/book/"' not in html
    assert "Choose dates to book" in html


@pytest.mark.django_db
def test_hotel_page_with_dates_shows_the_quoted_total_and_a_book_form_per_room_and_plan(client, world):
    query = world.stay_query(nights=3)

    response = client.get("/hotels/saffron-test/", query)

    page = parse(response)
    stay = Stay(timezone.localdate() + timedelta(days=5), timezone.localdate() + timedelta(days=8), rooms=1, guests=2)
    expected = stay_quote(room_type=world.deluxe, rate_plan=world.flexible, stay=stay).total
    prices = [item["props"]["price"][0] for item in page.items_of_type(OFFER)]
    assert f"{expected:.2f}" in prices
    # 123.45 x 3 = 370.35; tax 11% = 40.74; fees 3.50 x 3 = 10.50
    assert expected == Decimal("421.59")
    assert page.html.count('action="/book/"') == 4  # 2 room types x 2 rate plans
    assert f'name="room_type" value="{world.deluxe.pk}"' in page.html
    assert f'name="rate_plan" value="{world.saver.pk}"' in page.html
    assert f'name="check_in" value="{query["check_in"]}"' in page.html
    assert 'name="guests" value="2"' in page.html and 'name="rooms" value="1"' in page.html


@pytest.mark.django_db
def test_a_sold_out_night_says_why_the_room_cannot_be_booked(client, world):
    query = world.stay_query(offset=5, nights=2)
    sold_out = timezone.localdate() + timedelta(days=6)
    RoomNight.objects.filter(room_type=world.deluxe, date=sold_out).update(available=0)

    response = client.get("/hotels/saffron-test/", query)

    html = response.content.decode()
    assert f"Not bookable: Sold out on {sold_out:%d %b %Y}." in html
    assert html.count('action="/book/"') == 2  # the suite still books


@pytest.mark.django_db
def test_too_many_guests_for_a_room_type_is_explained(client, world):
    response = client.get("/hotels/saffron-test/", world.stay_query(guests=3))

    html = response.content.decode()
    assert "Deluxe Room sleeps at most 2 guests per room." in html
    assert html.count('action="/book/"') == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"check_in": "tomorrow", "check_out": "2099-01-01"}, "Check-in is not a date"),
        ({"check_in": "2031-02-30", "check_out": "2031-03-02"}, "Check-in is not a date"),
        ("reversed", "Check-out must be after check-in."),
        ({"check_in": "2020-01-01", "check_out": "2020-01-03"}, "Check-in cannot be in the past."),
        ("guests=500", "Ensure this value is less than or equal to 72."),
        ("guests=-1", "Ensure this value is greater than or equal to 1."),
        ("guests=two", "Guests must be a whole number."),
        ("rooms=40", "Ensure this value is less than or equal to 9."),
        ("guests=30&rooms=2", "30 guests need at least 4 rooms: a room sleeps at most 8."),
    ],
)
def test_bad_stay_input_shows_the_page_with_a_clear_message(client, world, params, message):
    good = world.stay_query()
    if params == "reversed":
        params = {"check_in": good["check_out"], "check_out": good["check_in"]}
    elif isinstance(params, str):
        params = {**good, **{k: v for k, v in (p.split("=") for p in params.split("&"))}}

    response = client.get("/hotels/saffron-test/", params)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please check your stay" in html
    assert message in html
    assert 'action="/book/"' not in html


@pytest.mark.django_db
def test_bad_dates_on_a_destination_page_show_a_message_not_an_error(client, world):
    response = client.get("/destinations/lombok/", {"check_in": "x", "check_out": "y"})

    assert response.status_code == 200
    assert "Check-in is not a date" in response.content.decode()


@pytest.mark.django_db
def test_renamed_hotel_answers_301_to_the_new_slug_keeping_the_dates(client, world):
    PropertySlugRedirect.objects.create(old_slug="old-saffron", property=world.hotel)

    response = client.get("/hotels/old-saffron/?check_in=2030-01-01&guests=2")

    assert response.status_code == 301
    target = urlsplit(response["Location"])
    assert target.path == "/hotels/saffron-test/"
    assert parse_qs(target.query) == {"check_in": ["2030-01-01"], "guests": ["2"]}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/hotels/no-such-hotel/", "/destinations/atlantis/", "/destinations/atlantis/deals/"])
def test_unknown_hotel_or_destination_is_the_real_404_page(client, settings, path):
    settings.DEBUG = False

    response = client.get(path)

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_server_error_page_renders_without_the_database(rf):
    from travel.views.pages import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "Nothing was charged" in response.content.decode()


@pytest.mark.django_db
def test_a_view_that_crashes_gets_the_500_page(client, settings, monkeypatch):
    settings.DEBUG = False
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("travel.selectors.destinations_with_hotel_counts", broken)
    response = client.get("/")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_deals_page_shows_real_bookable_totals(client, world):
    response = client.get("/destinations/lombok/deals/")

    page = parse(response)
    assert response.status_code == 200
    price = page.items_of_type(OFFER)[0]["props"]["price"][0]
    # the cheapest night is the deluxe saver rate (123.45 x 0.9 = 111.105 -> stored 111.11)
    check_in = timezone.localdate()
    stay = Stay(check_in, check_in + timedelta(days=2), rooms=1, guests=2)
    assert price == f"{stay_quote(room_type=world.deluxe, rate_plan=world.saver, stay=stay).total:.2f}"


@pytest.mark.django_db
def test_hotel_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    # the fingerprint of the page's rows (its cache key), then hotel + photos + amenities + room
    # types + rate plans, then one read of the rates and one of the nights for every room type x
    # plan together (inventory.selectors.stay_quotes), the rooms left per room type ("only 2
    # left"): inventory's hot cache, one query when it is cold, and the reviews (score, count and
    # the newest, one query); the same page again: the fingerprint only
    with django_assert_max_num_queries(1 + 5 + 2 + 1 + 1):
        response = client.get("/hotels/saffron-test/", world.stay_query())
    assert response.status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/hotels/saffron-test/", world.stay_query()).status_code == 200
    with django_assert_max_num_queries(6 + 1):  # + the reviews
        assert client.get("/hotels/saffron-test/").status_code == 200


@pytest.mark.django_db
def test_destination_and_home_query_counts_are_bounded(client, world, django_assert_max_num_queries):
    # destination, hotels, their photos, their amenities, one aggregate for the "from" prices
    with django_assert_max_num_queries(5):
        assert client.get("/destinations/lombok/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_anonymous_pages_without_a_query_are_served_from_the_cache(client, world, django_assert_num_queries):
    first = client.get("/hotels/saffron-test/")

    with django_assert_num_queries(0):
        second = client.get("/hotels/saffron-test/")

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content


@pytest.mark.django_db
def test_prices_for_chosen_dates_are_never_served_stale_from_the_cache(client, world):
    query = world.stay_query(nights=2)
    client.get("/hotels/saffron-test/", query)
    RoomNight.objects.filter(room_type=world.deluxe).update(available=0)

    response = client.get("/hotels/saffron-test/", query)

    assert response["X-Page-Cache"] == "miss"  # the nights changed: built again, never the old copy
    assert response.content.decode().count('action="/book/"') == 2  # only the suite is left


@pytest.mark.django_db
def test_the_per_process_micro_cache_skips_the_shared_cache_until_it_expires(client, world, settings, monkeypatch):
    from django.core.cache import cache

    from travel.views.pages import cache as page_cache

    settings.PAGE_MICROCACHE_SECONDS = 30
    monkeypatch.setattr(page_cache, "_local", page_cache.OrderedDict())
    first = client.get("/hotels/saffron-test/")
    cache.clear()  # the shared copy is gone; the process still has its own

    second = client.get("/hotels/saffron-test/")
    later = page_cache._now() + 31
    monkeypatch.setattr(page_cache, "_now", lambda: later)
    third = client.get("/hotels/saffron-test/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    assert third["X-Page-Cache"] == "miss"
