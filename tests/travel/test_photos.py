"""Photos on the public pages: every <img> of an uploaded picture carries a srcset whose files
exist and are as wide as they claim, with its width/height, lazy below the fold; the sitemap and
the Hotel JSON-LD name the widest rendition; a new picture changes the hotel page's fingerprint."""
import io
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone
from PIL import Image

from catalogue.renditions import picture_create
from tests.catalogue.images import photo_bytes, upload
from tests.travel.page_parsing import parse
from tests.travel.site_fixtures import world  # noqa: F401 - fixture
from travel.selectors import hotel_stay_stamp

SITE = "https://www.lotus-trails.example"
IMAGE_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "image": "http://www.google.com/schemas/sitemap-image/1.1"}


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def new_picture(width=1700, height=1020):
    return picture_create(upload=upload(photo_bytes(width, height)))


@pytest.fixture
def pictured(world):
    """The test hotel's first photo, its suite and its destination with uploaded pictures; its
    second photo stays a legacy address."""
    photo = world.hotel.photos.order_by("position").first()
    photo.picture = new_picture()
    photo.save()
    world.suite.picture = new_picture(1200, 800)
    world.suite.save()
    world.destination.picture = new_picture(1000, 600)
    world.destination.save()
    return world


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images_of(html: str) -> list[dict]:
    parser = _Images()
    parser.feed(html)
    return parser.images


def fetched_width(client, url: str) -> int:
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "image/webp"
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).width


def srcset_entries(img: dict) -> list[tuple[str, int]]:
    entries = [entry.strip().rsplit(" ", 1) for entry in img["srcset"].split(",")]
    return [(url, int(width.removesuffix("w"))) for url, width in entries]


@pytest.mark.django_db
def test_hotel_page_images_have_srcsets_whose_files_answer_with_the_widths_they_claim(client, pictured):
    html = client.get("/hotels/saffron-test/").content.decode()

    images = images_of(html)
    with_srcset = [img for img in images if "srcset" in img]
    assert len(with_srcset) == 2  # the first gallery photo and the suite
    for img in with_srcset:
        entries = srcset_entries(img)
        assert [fetched_width(client, url) for url, _ in entries] == [width for _, width in entries]
        assert img["src"] in [url for url, _ in entries] and img["sizes"]
        shown = Image.open(io.BytesIO(b"".join(client.get(img["src"]).streaming_content)))
        assert (int(img["width"]), int(img["height"])) == shown.size  # the box the browser reserves
    gallery_first, room = with_srcset
    assert [w for _, w in srcset_entries(gallery_first)] == [480, 800, 1200, 1600]
    assert [w for _, w in srcset_entries(room)] == [480, 800, 1200]  # a 1200 px upload is not blown up
    assert gallery_first["fetchpriority"] == "high" and "loading" not in gallery_first
    assert room["loading"] == "lazy" and room["decoding"] == "async" and room["class"] == "room-photo"
    legacy = next(img for img in images if img.get("src") == "/static/img/hotels/photo-2.svg")
    assert "srcset" not in legacy and legacy["loading"] == "lazy" and legacy["width"] == "800"
    assert "2 photos of Saffron Test Lombok" in html and "1 / 2" in html and "2 / 2" in html


@pytest.mark.django_db
def test_destination_and_home_cards_show_the_pictures_renditions(client, pictured):
    hotel_card = images_of(client.get("/destinations/lombok/").content.decode())[0]
    destination_card = images_of(client.get("/").content.decode())[0]

    for img in (hotel_card, destination_card):
        entries = srcset_entries(img)
        assert [fetched_width(client, url) for url, _ in entries] == [width for _, width in entries]
        assert img["width"] and img["height"]
        # the first card is the page's largest paint: fetched at once, not lazily
        assert img["fetchpriority"] == "high" and "loading" not in img
    assert hotel_card["alt"] == "View 1"


@pytest.mark.django_db
def test_sitemap_and_hotel_json_ld_name_the_widest_rendition(client, pictured):
    photo = pictured.hotel.photos.order_by("position").first()
    widest = SITE + photo.picture.largest_url

    root = ET.fromstring(client.get("/sitemap.xml").content)
    pictures = {urlsplit(url.find("sm:loc", IMAGE_NS).text).path:
                [i.text for i in url.findall("image:image/image:loc", IMAGE_NS)]
                for url in root.findall("sm:url", IMAGE_NS)}
    ld = parse(client.get("/hotels/saffron-test/")).ld_of_type("Hotel")[0]

    assert pictures["/hotels/saffron-test/"] == [widest, SITE + "/static/img/hotels/photo-2.svg",
                                                 SITE + pictured.suite.picture.largest_url]
    assert pictures["/destinations/lombok/"] == [SITE + pictured.destination.picture.largest_url]
    assert ld["image"] == [widest, SITE + "/static/img/hotels/photo-2.svg"]
    assert fetched_width(client, widest) == 1600
    assert fetched_width(client, pictures["/destinations/lombok/"][0]) == 800  # a 1000 px upload: up to 800


@pytest.mark.django_db
def test_media_answers_404_for_a_missing_file_and_never_leaves_its_folder(client, pictured):
    assert client.get("/media/pictures/nothing/1600w.webp").status_code == 404
    assert client.get("/media/../travel/settings/base.py").status_code == 400


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_new_picture_changes_the_hotel_page_fingerprint_and_the_cached_page(client, pictured):
    check_in = timezone.localdate() + timedelta(days=5)
    stamp = hotel_stay_stamp(slug="saffron-test", check_in=check_in, check_out=check_in + timedelta(days=2))
    query = pictured.stay_query(nights=2)
    client.get("/hotels/saffron-test/", query)
    assert client.get("/hotels/saffron-test/", query)["X-Page-Cache"] == "hit"
    photo = pictured.hotel.photos.order_by("position").first()
    photo.picture = new_picture(1000, 600)
    photo.save()

    after_photo = hotel_stay_stamp(slug="saffron-test", check_in=check_in, check_out=check_in + timedelta(days=2))
    response = client.get("/hotels/saffron-test/", query)

    assert after_photo != stamp
    assert response["X-Page-Cache"] == "miss" and photo.picture.url(800) in response.content.decode()
    pictured.suite.picture = new_picture(1000, 600)
    pictured.suite.save()
    assert hotel_stay_stamp(slug="saffron-test", check_in=check_in,
                            check_out=check_in + timedelta(days=2)) != after_photo
