"""The demo's photos: the SVG scenes of ``demo_art`` (and the destination drawings under
static/img/destinations/) rendered to PNG with resvg (a self-contained wheel: no system library,
no network), then put through the same rendition service as a staff upload
(``catalogue.renditions``): the demo pages show WebP renditions with srcset like a real hotel's.
"""
from functools import cache
from pathlib import Path

import resvg_py
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from catalogue.models import Picture
from catalogue.renditions import PreparedPicture, picture_prepare, picture_store

# Drawn 1200 px wide: sharp in the gallery on a 2x laptop screen (2 × 530 px) and a 3x phone
# (3 × 343 px), and half the seeding time of 1600 px (the widest rendition is then 1200 px).
RENDER_WIDTH = 1200


def destination_svg(slug: str) -> str:
    return (Path(settings.BASE_DIR) / "static" / "img" / "destinations" / f"{slug}.svg").read_text()


def demo_picture(current: Picture | None, svg: str) -> Picture:
    """``current`` when its files are still stored (seeding again), else a new picture of ``svg``."""
    if current is not None and current.renditions and default_storage.exists(current.renditions[-1]["name"]):
        return current
    return picture_store(_prepared(svg))


@cache
def _prepared(svg: str) -> PreparedPicture:
    """Rendered and encoded once per drawing and process (the tests seed the demo many times)."""
    png = resvg_py.svg_to_bytes(svg_string=svg, width=RENDER_WIDTH)
    return picture_prepare(ContentFile(png, name="demo.png"))
