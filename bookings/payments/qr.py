"""QR codes for payment links, as inline SVG (no files, no JavaScript), made with ``qrcode``."""
import qrcode
import qrcode.image.svg
from django.utils.html import escape


def qr_svg(data: str, *, label: str) -> str:
    """An accessible <svg> element for ``data`` (its size set by CSS)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr" ', 1)
