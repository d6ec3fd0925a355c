"""What search engines read: titles, descriptions, canonical URLs, Open Graph, breadcrumbs and
schema.org structured data (JSON-LD and Microdata), parsed from the HTML the server sends."""
import pytest

from tests.travel.page_parsing import parse
from tests.travel.site_fixtures import build_world, world  # noqa: F401 - fixture

SITE = "http://127.0.0.1:8000"
OFFER = "https://schema.org/Offer"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _pages(client, world):
    paths = ["/", "/destinations/lombok/", "/destinations/lombok/deals/", "/hotels/saffron-test/",
             "/hotels/other-hotel/"]
    return {path: parse(client.get(path)) for path in paths}


@pytest.mark.django_db
def test_every_page_has_a_unique_title_description_and_its_own_canonical_url(client, world):
    build_world(slug="other-hotel", destination_slug="flores", name="Other Hotel", destination_name="Flores")

    pages = _pages(client, world)

    titles = [p.title for p in pages.values()]
    descriptions = [p.meta("description") for p in pages.values()]
    assert len(set(titles)) == len(titles), titles
    assert len(set(descriptions)) == len(descriptions), descriptions
    for path, page in pages.items():
        assert page.title.endswith("· Lotus Trails")
        assert 50 <= len(page.meta("description")) <= 160, page.meta("description")
        assert page.link("canonical") == SITE + path
        assert page.meta("og:url") == SITE + path
        assert page.meta("og:title") and page.meta("og:description") and page.meta("og:type")


@pytest.mark.django_db
def test_hotel_page_canonical_drops_the_dates_and_is_not_indexed_with_them(client, world):
    page = parse(client.get("/hotels/saffron-test/", world.stay_query()))

    assert page.link("canonical") == SITE + "/hotels/saffron-test/"
    assert page.meta("robots") == "noindex, follow"
    assert parse(client.get("/hotels/saffron-test/")).meta("robots") is None


@pytest.mark.django_db
def test_hotel_page_open_graph_has_type_and_an_absolute_image(client, world):
    page = parse(client.get("/hotels/saffron-test/"))

    assert page.meta("og:type") == "hotel"
    assert page.meta("og:image") == SITE + "/static/img/hotels/photo-1.svg"
    assert "Saffron Test Lombok" in page.meta("og:title")


@pytest.mark.django_db
def test_breadcrumbs_are_visible_and_in_breadcrumb_list_json_ld(client, world):
    page = parse(client.get("/hotels/saffron-test/"))

    assert '<nav class="breadcrumbs" aria-label="Breadcrumb">' in page.html
    assert '<a href="/destinations/lombok/">Lombok</a>' in page.html
    assert '<span aria-current="page">Saffron Test Lombok</span>' in page.html
    (crumbs,) = page.ld_of_type("BreadcrumbList")
    assert crumbs["@context"] == "https://schema.org"
    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "Home", SITE + "/"),
        (2, "Lombok", SITE + "/destinations/lombok/"),
        (3, "Saffron Test Lombok", SITE + "/hotels/saffron-test/"),
    ]


@pytest.mark.django_db
def test_hotel_json_ld_has_the_required_properties(client, world):
    page = parse(client.get("/hotels/saffron-test/"))

    (hotel,) = page.ld_of_type("Hotel")
    assert hotel["name"] == "Saffron Test Lombok"
    assert hotel["url"] == SITE + "/hotels/saffron-test/"
    assert hotel["address"] == {
        "@type": "PostalAddress", "streetAddress": "Jl. Raya Senggigi 1", "addressLocality": "Senggigi",
        "addressRegion": "Lombok", "postalCode": "83355", "addressCountry": "ID",
    }
    assert hotel["geo"] == {"@type": "GeoCoordinates", "latitude": -8.491, "longitude": 116.045}
    assert hotel["starRating"]["ratingValue"] == 5
    assert {a["name"] for a in hotel["amenityFeature"]} == {"Outdoor pool", "Spa"}
    assert all(a["@type"] == "LocationFeatureSpecification" and a["value"] is True for a in hotel["amenityFeature"])
    assert hotel["checkinTime"] == "14:00:00" and hotel["checkoutTime"] == "12:00:00"
    assert [r["name"] for r in hotel["containsPlace"]] == ["Deluxe Room", "Suite"]
    assert all(r["@type"] == "HotelRoom" for r in hotel["containsPlace"])
    assert hotel["image"][0] == SITE + "/static/img/hotels/photo-1.svg"
    assert "makesOffer" not in hotel  # no dates chosen, nothing bookable to offer


@pytest.mark.django_db
def test_offers_in_json_ld_and_microdata_carry_the_same_totals_as_the_page(client, world):
    query = world.stay_query(nights=2, guests=3)  # the deluxe sleeps 2: only the suite is bookable

    page = parse(client.get("/hotels/saffron-test/", query))

    (hotel,) = page.ld_of_type("Hotel")
    offers = hotel["makesOffer"]
    assert [o["itemOffered"]["name"] for o in offers] == ["Suite", "Suite"]
    for offer in offers:
        assert offer["@type"] == "Offer"
        assert offer["priceCurrency"] == "USD"
        assert offer["availability"] == "https://schema.org/InStock"
        assert offer["itemOffered"]["@type"] == "HotelRoom"
        assert offer["url"].startswith(SITE + "/hotels/saffron-test/?check_in=")
        assert offer["description"].startswith("2 nights from ") and "3 guests, 1 room" in offer["description"]
        components = {c["name"]: c["price"] for c in offer["priceSpecification"]["priceComponent"]}
        assert float(components["Room"]) + float(components["Taxes"]) + float(components["Fees"]) == pytest.approx(
            float(offer["price"]))
    microdata = page.items_of_type(OFFER)
    assert len(microdata) == 2
    assert sorted(m["props"]["price"][0] for m in microdata) == sorted(o["price"] for o in offers)
    assert all(m["props"]["priceCurrency"] == ["USD"] for m in microdata)
    assert all(m["props"]["availability"] == ["https://schema.org/InStock"] for m in microdata)
    # and the visible text shows the same amount the Microdata declares
    for m in microdata:
        assert f'data-total>{float(m["props"]["price"][0]):,.2f}</span>' in page.html


@pytest.mark.django_db
def test_destination_page_has_an_item_list_of_its_hotels(client, world):
    page = parse(client.get("/destinations/lombok/"))

    (item_list,) = page.ld_of_type("ItemList")
    assert item_list["numberOfItems"] == 1
    (entry,) = item_list["itemListElement"]
    assert entry["position"] == 1
    assert entry["item"]["@type"] == "Hotel"
    assert entry["item"]["url"] == SITE + "/hotels/saffron-test/"
    assert entry["item"]["starRating"]["ratingValue"] == 5
    assert entry["item"]["priceRange"] == "from USD 126.83 per night"
    assert page.ld_of_type("BreadcrumbList")


@pytest.mark.django_db
def test_home_declares_the_website_and_its_search(client, world):
    (site,) = parse(client.get("/")).ld_of_type("WebSite")

    assert site["potentialAction"]["@type"] == "SearchAction"
    assert site["potentialAction"]["target"]["urlTemplate"].startswith(SITE + "/search/?destination=")


@pytest.mark.django_db
def test_json_ld_cannot_be_broken_out_of_by_catalogue_text(client, world):
    world.hotel.name = 'Evil </script><script>alert("x")</script> Inn'
    world.hotel.save()

    page = parse(client.get("/hotels/saffron-test/"))

    assert "<script>alert" not in page.html
    (hotel,) = page.ld_of_type("Hotel")
    assert hotel["name"] == 'Evil </script><script>alert("x")</script> Inn'


@pytest.mark.django_db
def test_the_404_page_is_not_indexed_and_claims_no_canonical_url(client, settings):
    settings.DEBUG = False

    page = parse(client.get("/no-such-page/"))

    assert page.meta("robots") == "noindex"
    assert page.link("canonical") is None
