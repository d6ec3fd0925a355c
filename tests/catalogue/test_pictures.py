"""Photo uploads in the admin: the original and WebP renditions at fixed widths with their real
pixel sizes; a bad file is a form error and nothing is written (catalogue/renditions.py)."""
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from catalogue.models import Picture, PropertyPhoto
from tests.catalogue.admin_form import change_form_data
from tests.catalogue.images import huge_png, open_image, photo_bytes, upload
from tests.factories import DestinationFactory, PropertyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="platform", is_staff=True, is_superuser=True))
    return client


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def post_destination(client, destination, **changes):
    url = f"/admin/catalogue/destination/{destination.pk}/change/"
    data = change_form_data(client.get(url).content.decode(), "destination_form", **changes)
    return client.post(url, data)


def renditions_as_stored(picture: Picture) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
    """Each rendition: its format, the size recorded and the size of the stored file."""
    seen = []
    for rendition in picture.renditions:
        with default_storage.open(rendition["name"]) as stored:
            image = open_image(stored.read())
        seen.append((image.format, (rendition["width"], rendition["height"]), image.size))
    return seen


def test_a_destination_photo_uploaded_in_the_admin_gets_webp_renditions_up_to_its_own_width(admin_client, media_root):
    destination = DestinationFactory()
    original = photo_bytes(1300, 780)

    response = post_destination(admin_client, destination, upload=upload(original))

    assert response.status_code == 302, response.content.decode()[:2000]
    destination.refresh_from_db()
    picture = destination.picture
    assert (picture.width, picture.height) == (1300, 780)
    assert default_storage.open(picture.original.name).read() == original  # the original, as sent
    # 480, 800 and 1200 px wide; no 1600 px one blown up from a 1300 px photo
    assert renditions_as_stored(picture) == [("WEBP", (480, 288), (480, 288)), ("WEBP", (800, 480), (800, 480)),
                                             ("WEBP", (1200, 720), (1200, 720))]
    assert picture.srcset.count("w, ") == 2 and picture.srcset.endswith(" 1200w")


def test_a_hotel_photo_uploaded_in_the_property_page_is_shown_upright(admin_client, media_root):
    prop = PropertyFactory()
    url = f"/admin/catalogue/property/{prop.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    # a phone photo stored sideways (1200 × 800) with EXIF "turn a quarter": 800 × 1200 upright
    sideways = photo_bytes(1200, 800, exif_orientation=6)
    data = change_form_data(page, "property_form", **{
        "photos-TOTAL_FORMS": "1", "photos-0-alt": "The lobby", "photos-0-position": "0",
        "photos-0-upload": upload(sideways, "lobby.jpg")})

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    photo = PropertyPhoto.objects.get(property=prop)
    assert (photo.alt, photo.url, photo.picture.width, photo.picture.height) == ("The lobby", "", 800, 1200)
    assert renditions_as_stored(photo.picture) == [("WEBP", (480, 720), (480, 720)), ("WEBP", (800, 1200), (800, 1200))]


def test_a_photo_row_needs_an_upload_or_an_address(admin_client, media_root):
    prop = PropertyFactory()
    url = f"/admin/catalogue/property/{prop.pk}/change/"
    data = change_form_data(admin_client.get(url).content.decode(), "property_form", **{
        "photos-TOTAL_FORMS": "1", "photos-0-alt": "Nothing", "photos-0-position": "0"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Upload a photo or give its URL." in response.content.decode()
    assert not PropertyPhoto.objects.exists()


def _truncated_jpeg() -> bytes:
    data = photo_bytes(1000, 600)
    return data[: len(data) // 3]


def _gif() -> bytes:
    return photo_bytes(800, 600, image_format="GIF")


BAD_UPLOADS = {
    "not an image": (lambda: b"%PDF-1.7 this is a document", "This file is not a photo we can read"),
    "too small": (lambda: photo_bytes(400, 300), "This photo is 400 × 300 px: upload one at least 480 px wide"),
    "decompression bomb": (huge_png, "This image has more than 50 million pixels"),
    "cut short": (_truncated_jpeg, "This photo is damaged or cut short"),
    "a GIF": (_gif, "GIF images are not accepted"),
}


@pytest.mark.parametrize("kind", BAD_UPLOADS)
def test_a_bad_upload_is_a_form_error_and_writes_nothing(admin_client, media_root, kind):
    make, message = BAD_UPLOADS[kind]
    destination = DestinationFactory(image_url="/static/img/destinations/bali.svg")

    response = post_destination(admin_client, destination, upload=upload(make(), "upload.jpg"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html and message in html, html[html.find("errorlist") - 200:][:800]
    destination.refresh_from_db()
    assert destination.picture is None and destination.image_url == "/static/img/destinations/bali.svg"
    assert not Picture.objects.exists()
    assert stored_files(media_root) == []
