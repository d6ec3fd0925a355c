"""The hotel page's photos in headless Chromium at desktop (1280 px) and phone (390 px, a 2x
screen) width: the gallery strip fits and scrolls sideways, each photo on screen is loaded from a
rendition at least as wide as it is drawn in device pixels (sharp), nothing overflows, axe-core
finds no serious or critical violation. Screenshots: test-artifacts/photos-hotel-*.png."""
from urllib.parse import urlsplit

import pytest

from catalogue.renditions import picture_create
from tests.catalogue.images import photo_bytes, upload
from tests.fixtures.browser import serious_violations
from tests.travel.site_fixtures import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": ({"width": 1280, "height": 900}, 1), "phone": ({"width": 390, "height": 844}, 2)}

MEASURE = """() => {
  const gallery = document.querySelector('.gallery');
  const box = gallery.getBoundingClientRect();
  const shown = [...gallery.querySelectorAll('img'), document.querySelector('.room-photo')]
    .filter(img => { const r = img.getBoundingClientRect(); return r.left < innerWidth && r.right > 0 && r.top < innerHeight; });
  return {
    page: document.documentElement.scrollWidth, galleryRight: box.right, scrolls: gallery.scrollWidth > gallery.clientWidth,
    count: gallery.querySelectorAll('li').length, ratio: devicePixelRatio,
    shown: shown.map(img => ({src: img.currentSrc, srcset: img.srcset, drawn: img.getBoundingClientRect().width,
                              loaded: img.complete && img.naturalWidth > 0})),
  };
}"""


@pytest.fixture
def hotel_with_photos():
    world = build_world()
    for photo in world.hotel.photos.all():
        photo.picture = picture_create(upload=upload(photo_bytes(1700, 1020)))
        photo.save()
    world.hotel.photos.create(url="", alt="The spa", position=2,
                              picture=picture_create(upload=upload(photo_bytes(1600, 960))))
    world.deluxe.picture = picture_create(upload=upload(photo_bytes(1200, 720)))
    world.deluxe.save()
    return world


def rendition_width(src: str, srcset: str) -> int:
    """The width the srcset claims for the file the browser chose (``currentSrc``)."""
    widths = dict(entry.strip().rsplit(" ", 1) for entry in srcset.split(","))
    return int(widths[urlsplit(src).path].removesuffix("w"))


def test_the_gallery_fits_scrolls_and_shows_sharp_photos_at_both_widths(chromium, live_server, hotel_with_photos,
                                                                         screenshot):
    seen = {}
    for name, (viewport, ratio) in VIEWPORTS.items():
        context = chromium.new_context(viewport=viewport, device_scale_factor=ratio)
        page = context.new_page()
        try:
            assert page.goto(live_server.url + "/hotels/saffron-test/", wait_until="networkidle").status == 200
            page.locator(".gallery img").first.evaluate("img => img.decode()")
            seen[name] = {**page.evaluate(MEASURE), "axe": serious_violations(page)}
            screenshot(page, f"photos-hotel-{name}")
        finally:
            context.close()

    for name, found in seen.items():
        width = VIEWPORTS[name][0]["width"]
        assert found["axe"] == [], (name, found["axe"])
        assert found["page"] <= width and found["galleryRight"] <= width, (name, found)
        assert found["scrolls"] and found["count"] == 3, (name, found)
        assert len(found["shown"]) >= 2, (name, found["shown"])
        for img in found["shown"]:
            assert img["loaded"], (name, img)
            assert rendition_width(img["src"], img["srcset"]) >= min(img["drawn"] * found["ratio"], 1200), (name, img)
