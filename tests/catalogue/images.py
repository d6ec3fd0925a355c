"""Photos made on the spot for the upload tests (nothing downloaded)."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def photo_bytes(width: int, height: int, *, image_format: str = "JPEG", exif_orientation: int | None = None) -> bytes:
    """A ``width`` × ``height`` picture: a gradient with a few shapes, as a JPEG (or ``image_format``)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(6):
        x = width * i // 6
        draw.ellipse((x, height // 3, x + width // 8, height // 3 + width // 8), fill=(200, 60 + 30 * i, 40))
    buffer = io.BytesIO()
    options = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        options["exif"] = exif
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def huge_png(width: int = 10_000, height: int = 6_000) -> bytes:
    """60 million pixels in a few kilobytes: one colour, a 1-bit PNG (a decompression bomb's shape)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
