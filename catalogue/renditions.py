"""Photos as staff upload them, and the renditions the pages show.

Two steps, so that a bad upload is a form error and nothing is written:

- ``picture_prepare(upload)`` checks the upload (an image Pillow can read, JPEG, PNG or WebP, at
  least ``MIN_WIDTH`` px wide, at most ``MAX_PIXELS`` pixels and ``MAX_BYTES`` bytes: a
  decompression bomb is refused from its header, before any decoding), decodes it and encodes
  the renditions in memory: WebP at each of ``WIDTHS`` up to the original's width (never upscaled).
  Raises ``ValidationError`` with a message staff can act on.
- ``picture_store(prepared)`` writes the original and the renditions through Django's storage
  API (MEDIA_ROOT locally) under a fresh folder, and records them as a ``Picture`` row.

``picture_create(upload=...)`` does both: the demo's pictures go through it like an upload.
"""
import io
import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from catalogue.models import Picture

WIDTHS = (480, 800, 1200, 1600)
MIN_WIDTH = WIDTHS[0]
MIN_HEIGHT = 240
MAX_PIXELS = 50_000_000  # 50 megapixels: a 8660 × 5773 photo; anything more is refused unread
MAX_BYTES = 25 * 1024 * 1024
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class PreparedPicture:
    """An upload checked and encoded, not yet stored."""

    original: bytes
    extension: str
    width: int
    height: int
    renditions: tuple[Rendition, ...]


def picture_prepare(upload) -> PreparedPicture:
    """The upload (a file object) checked, decoded and encoded at every rendition width."""
    data = _read(upload)
    image_format = _inspect(data)
    image, (width, height) = _decode(data)
    return PreparedPicture(original=data, extension=FORMATS[image_format], width=width, height=height,
                           renditions=tuple(_renditions(image)))


@transaction.atomic
def picture_store(prepared: PreparedPicture) -> Picture:
    """Write the original and its renditions to storage and record them; the new picture."""
    folder = PurePosixPath("pictures", secrets.token_hex(8))
    original = default_storage.save(str(folder / f"original.{prepared.extension}"), ContentFile(prepared.original))
    renditions = [
        {"width": r.width, "height": r.height,
         "name": default_storage.save(str(folder / f"{r.width}w.webp"), ContentFile(r.data))}
        for r in prepared.renditions
    ]
    return Picture.objects.create(original=original, width=prepared.width, height=prepared.height,
                                  renditions=renditions)


def picture_create(*, upload) -> Picture:
    return picture_store(picture_prepare(upload))


# --- checks and encoding ----------------------------------------------------------------------

def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(f"This file is {size / 1048576:.0f} MB: upload a photo of at most "
                              f"{MAX_BYTES // 1048576} MB.", code="too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(f"Upload a photo of at most {MAX_BYTES // 1048576} MB.", code="too_large")
    return data


def _inspect(data: bytes) -> str:
    """The format, from the file's header, after Pillow's ``verify``; no pixel is decoded."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, size = image.format, image.size
            if size[0] * size[1] <= MAX_PIXELS:
                image.verify()
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("This file is not a photo we can read: upload a JPEG, PNG or WebP image.",
                              code="not_an_image") from exc
    if image_format not in FORMATS:
        raise ValidationError(f"{image_format} images are not accepted: upload a JPEG, PNG or WebP image.",
                              code="format")
    width, height = size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ValidationError(f"This photo is {width} × {height} px: upload one at least {MIN_WIDTH} px wide "
                              f"and {MIN_HEIGHT} px high.", code="too_small")
    return image_format


def _too_many_pixels() -> ValidationError:
    return ValidationError(f"This image has more than {MAX_PIXELS // 1_000_000} million pixels: "
                           "upload a smaller photo.", code="too_many_pixels")


SIDEWAYS = {5, 6, 7, 8}  # EXIF orientations that turn the stored picture by a quarter


def _decode(data: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """The pixels, upright (EXIF orientation applied), in RGB (RGBA with transparency). A JPEG is
    decoded at a reduced scale when that still leaves the widest rendition's width (much less
    memory and time for a large photo). With the original's upright size."""
    try:
        image = Image.open(io.BytesIO(data))
        sideways = image.getexif().get(0x0112, 1) in SIDEWAYS
        upright = (image.height, image.width) if sideways else image.size
        if image.format == "JPEG":
            wanted = min(upright[0], WIDTHS[-1])
            image.draft("RGB", (1, wanted) if sideways else (wanted, 1))
        image = ImageOps.exif_transpose(image)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError("This photo is damaged or cut short: upload it again.", code="damaged") from exc
    return image.convert("RGBA" if _has_alpha(image) else "RGB"), upright


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _renditions(image: Image.Image) -> list[Rendition]:
    widths = [w for w in WIDTHS if w <= image.width]
    renditions = []
    for width in widths:
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        renditions.append(Rendition(width=width, height=height, data=buffer.getvalue()))
    return renditions
