"""sitemap.xml and robots.txt."""
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests.travel.site_fixtures import build_world, world  # noqa: F401 - fixture
from travel.sitemaps import PublicSitemap

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://www.lotus-trails.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _locs(response, tag="url"):
    root = ET.fromstring(response.content)
    return [(e.find("sm:loc", NS).text, e.find("sm:lastmod", NS)) for e in root.findall(f"sm:{tag}", NS)]


@pytest.mark.django_db
def test_every_sitemap_entry_resolves_with_200_and_has_a_lastmod(client, world):
    inactive = build_world(slug="closed-hotel", destination_slug="flores", name="Closed", destination_name="Flores")
    inactive.hotel.is_active = False
    inactive.hotel.save()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    entries = _locs(response)
    paths = [urlsplit(loc).path for loc, _ in entries]
    assert set(paths) == {"/", "/destinations/lombok/", "/destinations/flores/", "/destinations/lombok/deals/",
                          "/destinations/flores/deals/", "/hotels/saffron-test/"}
    for loc, lastmod in entries:
        assert loc.startswith(SITE + "/")
        assert lastmod is not None and lastmod.text
        assert client.get(urlsplit(loc).path).status_code == 200, loc


@pytest.mark.django_db
def test_past_the_url_limit_the_sitemap_becomes_an_index_of_sections(client, world, monkeypatch):
    build_world(slug="second", destination_slug="flores", name="Second", destination_name="Flores")
    build_world(slug="third", destination_slug="sumba", name="Third", destination_name="Sumba")
    monkeypatch.setattr(PublicSitemap, "limit", 2)

    response = client.get("/sitemap.xml")

    assert ET.fromstring(response.content).tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    sitemaps = [loc for loc, _ in _locs(response, tag="sitemap")]
    assert SITE + "/sitemap-hotels.xml" in sitemaps and SITE + "/sitemap-hotels.xml?p=2" in sitemaps
    listed = []
    for loc in sitemaps:
        parts = urlsplit(loc)
        page = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        assert page.status_code == 200, loc
        urls = _locs(page)
        assert len(urls) <= 2
        listed += [urlsplit(u).path for u, _ in urls]
    assert sorted(p for p in listed if p.startswith("/hotels/")) == ["/hotels/saffron-test/", "/hotels/second/",
                                                                    "/hotels/third/"]
    assert len(listed) == len(set(listed)) == 1 + 3 + 3 + 3


@pytest.mark.django_db
def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_keeps_crawlers_out_of_private_pages_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert lines[0] == "User-agent: *"
    for path in ("/search/", "/book/", "/pay/", "/admin/"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines


@pytest.mark.django_db
def test_hotel_and_destination_entries_list_their_pictures_as_image_sitemap_entries(client, world):
    image = {"image": "http://www.google.com/schemas/sitemap-image/1.1"}
    root = ET.fromstring(client.get("/sitemap.xml").content)

    pictures = {urlsplit(url.find("sm:loc", NS).text).path: [i.text for i in url.findall("image:image/image:loc",
                                                                                          {**NS, **image})]
                for url in root.findall("sm:url", NS)}

    hotel = [SITE + p.url for p in world.hotel.photos.all()]
    hotel += [SITE + r.image_url for r in world.hotel.room_types.all() if r.image_url]
    assert pictures["/hotels/saffron-test/"] == hotel and len(hotel) >= 2
    assert pictures["/destinations/lombok/"] == ([SITE + world.destination.image_url]
                                                 if world.destination.image_url else [])
    assert pictures["/destinations/lombok/deals/"] == []
