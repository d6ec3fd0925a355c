"""What a traveller notices on the public pages: the favicon, dates that cannot be in the past,
"5 guests need 2 rooms", "only N left", amenity names, prices in a display currency, and how far
the hotel is from the centre."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.money import money
from inventory.services import inventory_reserve
from inventory.stays import Stay
from tests.travel.site_fixtures import world  # noqa: F401 - fixture
from travel.location import distance_km, distance_label, plan

pytestmark = pytest.mark.django_db


def test_favicon_answers_at_the_root_and_every_page_links_it(client, world):
    icon = client.get("/favicon.ico")

    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    for path in ("/", "/destinations/lombok/", "/hotels/saffron-test/", "/search/"):
        assert '<link rel="icon" href="/favicon.ico"' in client.get(path).content.decode()


def test_calendars_start_today_and_a_past_check_in_is_still_refused_by_the_server(client, world):
    today = world.hotel.local_today()

    page = client.get("/hotels/saffron-test/").content.decode()
    refused = client.get("/hotels/saffron-test/", {**world.stay_query(), "check_in": str(today - timedelta(days=1))})

    assert f'name="check_in" id="id_check_in" value="" min="{today:%Y-%m-%d}"' in page
    assert f'min="{today + timedelta(days=1):%Y-%m-%d}"' in page  # check-out: one night later at the earliest
    assert refused.status_code == 200
    assert "Check-in cannot be in the past." in refused.content.decode()
    assert 'action="/book/"' not in refused.content.decode()


def test_guests_who_do_not_fit_are_told_how_many_rooms_they_need(client, world):
    # the largest room (the suite) sleeps 4
    crowded = client.get("/hotels/saffron-test/", world.stay_query(guests=5, rooms=1)).content.decode()
    fitting = client.get("/hotels/saffron-test/", world.stay_query(guests=4, rooms=1)).content.decode()

    assert "5 guests need 2 rooms: the largest room here sleeps 4 guests." in crowded
    assert "try other dates" not in crowded
    link = re.search(r'id="fit-message">[^<]*<a href="\?([^"#]+)', crowded).group(1).replace("&amp;", "&")
    assert "rooms=2" in link and "guests=5" in link
    assert 'id="fit-message"' not in fitting


def test_too_many_guests_for_any_booking_get_a_number_not_a_range(client, world):
    html = client.get("/hotels/saffron-test/", world.stay_query(guests=30, rooms=2)).content.decode()

    assert "30 guests need at least 4 rooms: a room sleeps at most 8." in html
    assert "room(s)" not in html


def test_hotel_page_says_only_n_left_from_live_inventory(client, world, django_capture_on_commit_callbacks):
    query = world.stay_query(offset=5, nights=2)
    stay = Stay(timezone.localdate() + timedelta(days=5), timezone.localdate() + timedelta(days=7), rooms=1, guests=2)

    before = client.get("/hotels/saffron-test/", query).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the hot cache is written after commit
        inventory_reserve(room_type=world.suite, stay=stay, source="test", reference="LT-LEFT-1")
    after = client.get("/hotels/saffron-test/", query).content.decode()

    assert 'data-rooms-left="2">Only 2 rooms left for your dates' in before  # the suite has 2 a night
    assert 'data-rooms-left="1">Only 1 room left for your dates' in after


def test_search_names_amenities_and_says_how_many_rooms_the_guests_need(client, world, suppliers_sandbox):
    query = {**world.stay_query(), "destination": "Lombok"}

    found = client.get("/search/", query).content.decode()
    crowded = client.get("/search/", {**query, "guests": "5"}).content.decode()

    assert "Outdoor pool, Spa" in found
    assert "1 hotel we sell directly" in found and "of our hotel" not in found
    assert "5 guests need 2 rooms: the largest room in Lombok sleeps 4 guests." in crowded


def test_search_keeps_the_filters_on_and_says_how_many(client, world, suppliers_sandbox):
    query = {**world.stay_query(), "destination": "Lombok", "stars": "5", "amenities": "spa", "sort": "name"}

    html = client.get("/search/", query).content.decode()

    assert '<details class="filters" open>' in html
    assert 'data-active-filters="2">2 on<' in html
    assert re.search(r'<option value="name" selected>', html)
    assert re.search(r'value="spa"[^>]*checked', html)


def test_display_currency_shows_an_approximate_price_and_keeps_the_hotel_currency(client, world):
    query = world.stay_query()
    usd_only = client.get("/hotels/saffron-test/", query).content.decode()

    chosen = client.get("/currency/", {"code": "EUR", "next": "/hotels/saffron-test/?" + "&".join(
        f"{k}={v}" for k, v in query.items())})
    in_eur = client.get("/hotels/saffron-test/", query).content.decode()

    assert chosen.status_code == 302 and chosen["Location"].startswith("/hotels/saffron-test/?check_in=")
    assert chosen.cookies["display_currency"].value == "EUR"
    assert "approx." not in usd_only
    total = Decimal(re.search(r"USD <span data-total>([\d,.]+)</span>", in_eur).group(1).replace(",", ""))
    expected = money(total * Decimal("0.92"))  # the rate source's EUR per USD, through BTC
    assert f'<span class="approx" data-approx="EUR">≈ EUR {expected:,.2f} approx.</span>' in in_eur
    assert '<meta itemprop="priceCurrency" content="USD">' in in_eur  # what is booked stays in USD


def test_display_currency_varies_the_cached_anonymous_page(client, world):
    client.get("/destinations/lombok/")  # cached without a choice
    client.cookies["display_currency"] = "THB"

    html = client.get("/destinations/lombok/").content.decode()

    assert 'data-approx="THB">≈ THB ' in html


def test_currency_choice_refuses_other_sites_and_unknown_codes(client, world):
    elsewhere = client.get("/currency/", {"code": "EUR", "next": "https://evil.example/"})
    cleared = client.get("/currency/", {"code": "XYZ", "next": "/"})

    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/"
    assert cleared.cookies["display_currency"].value == ""  # the choice is removed
    assert "approx." not in client.get("/destinations/lombok/").content.decode()


def test_rates_down_leave_the_prices_in_the_hotel_currency(client, world, settings):
    from sandboxes.rates import app as rates

    client.cookies["display_currency"] = "GBP"
    rates.reset()
    rates.behaviour.down = True
    try:
        response = client.get("/hotels/saffron-test/", world.stay_query())
    finally:
        rates.reset()

    assert response.status_code == 200
    assert "data-total" in response.content.decode() and "approx." not in response.content.decode()


def test_distance_to_the_centre_is_the_great_circle_distance():
    bangkok, singapore = (13.7563, 100.5018), (1.3521, 103.8198)

    assert distance_km(*bangkok, *singapore) == pytest.approx(1430, abs=5)  # published: about 1,430 km
    assert distance_km(*bangkok, *bangkok) == 0
    assert distance_label(0.349) == "350 m" and distance_label(2.44) == "2.4 km"
    assert distance_label(1430.2) == "1,430 km"


def test_the_plan_puts_a_hotel_north_east_of_the_centre_up_and_right():
    where = plan(lat=13.77, lng=100.52, centre_lat=13.75, centre_lng=100.50)

    assert where.hotel_x > where.centre_x and where.hotel_y < where.centre_y
    assert where.bearing == "north-east of"
    assert 0 < where.hotel_x < 600 and 0 < where.hotel_y < 300


def test_hotel_and_destination_pages_show_the_distance_to_the_centre(client, world):
    hotel, centre = world.hotel, world.destination
    label = distance_label(distance_km(float(hotel.latitude), float(hotel.longitude),
                                       float(centre.latitude), float(centre.longitude)))

    page = client.get("/hotels/saffron-test/").content.decode()
    listing = client.get("/destinations/lombok/").content.decode()

    assert label == "13 km"  # Senggigi to Mataram
    assert f'<strong id="distance">{label}</strong> north-west of the centre of Lombok' in page
    assert "<svg" in page and "tile" not in page.lower()
    assert f"<span data-distance>{label} from the centre</span>" in listing


def test_every_demo_hotel_and_room_type_has_its_own_committed_pictures(settings):
    from catalogue.demo import DESTINATIONS, ROOM_TYPES
    from catalogue.demo_art import HOTEL_SCENES, hotel_photo_path, hotel_svg, room_photo_path

    static = settings.BASE_DIR / "static"
    slugs = [f"saffron-lotus-{hotel[0]}" for place in DESTINATIONS for hotel in place["hotels"]]
    paths = [static / hotel_photo_path(slug, scene) for slug in slugs for scene in HOTEL_SCENES]
    paths += [static / room_photo_path(code) for code, *_ in ROOM_TYPES]

    assert all(path.is_file() for path in paths), [str(p) for p in paths if not p.is_file()]
    exteriors = {(static / hotel_photo_path(slug, "exterior")).read_text() for slug in slugs}
    assert len(exteriors) == len(slugs)  # no two hotels share a picture
    assert (static / hotel_photo_path(slugs[0], "pool")).read_text() == hotel_svg(slugs[0], "Saffron Lotus "
                                                                                  + DESTINATIONS[0]["hotels"][0][1], "pool")


def test_room_pictures_have_their_size_and_load_lazily_and_the_hotel_json_ld_lists_its_photos(client, world):
    world.suite.image_url = "/static/img/rooms/suite.svg"
    world.suite.save()

    html = client.get("/hotels/saffron-test/").content.decode()

    assert ('<img class="room-photo" src="/static/img/rooms/suite.svg" alt="Suite at Saffron Test Lombok" '
            'width="400" height="240" loading="lazy" decoding="async">') in html
    assert 'src="/static/img/hotels/photo-1.svg" alt="View 1" width="800" height="480" fetchpriority="high">' in html
    assert '"image":["http' in html and "/static/img/hotels/photo-2.svg" in html


def test_fewer_guests_than_rooms_are_told_one_per_room(client, world):
    html = client.get("/hotels/saffron-test/", world.stay_query(guests=1, rooms=3)).content.decode()

    assert "3 rooms need at least 3 guests: one per room." in html


def test_the_hotel_page_names_the_hotels_clock(client, world):
    world.destination.timezone = "Asia/Makassar"  # Lombok: UTC+8
    world.destination.save()

    html = client.get("/hotels/saffron-test/").content.decode()

    assert '<dd id="hotel-time">UTC+08:00 (Asia/Makassar)</dd>' in html
