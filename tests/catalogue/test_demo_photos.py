"""The demo's hotels, room types and destinations have raster photos with every rendition, made
from the drawings through the upload path; seeding again makes no new pictures."""
import pytest
from django.core.files.storage import default_storage

from catalogue import demo
from catalogue.demo_photos import RENDER_WIDTH
from catalogue.models import Destination, Picture, PropertyPhoto, RoomType
from tests.catalogue.images import open_image

pytestmark = pytest.mark.django_db


def test_every_demo_photo_room_type_and_destination_has_all_renditions_stored():
    demo.seed()

    rows = [*PropertyPhoto.objects.select_related("picture"), *RoomType.objects.select_related("picture"),
            *Destination.objects.select_related("picture")]
    assert len(rows) == 12 * 3 + 12 * 3 + 4
    for row in rows:
        assert [r["width"] for r in row.picture.renditions] == [480, 800, 1200], row
    widest = rows[0].picture.renditions[-1]
    with default_storage.open(widest["name"]) as stored:
        assert open_image(stored.read()).size == (widest["width"], widest["height"]) == (RENDER_WIDTH, 720)
    pictures = Picture.objects.count()

    demo.seed()

    assert Picture.objects.count() == pictures
