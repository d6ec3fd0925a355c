"""What a page tells search engines: title, description, canonical URL, Open Graph and
breadcrumbs. Views build a ``PageMeta``; ``templates/travel/partials/seo_head.html`` renders it.
Structured data (JSON-LD) lives in ``travel.seo.jsonld``."""
from dataclasses import dataclass, field

from django.conf import settings

SITE_NAME = "Lotus Trails"


def absolute_url(path: str) -> str:
    """The public URL of a path, on SITE_URL (never the Host header a request came with)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class Crumb:
    name: str
    path: str


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    path: str  # canonical path, without query string
    og_type: str = "website"
    image: str = ""
    noindex: bool = False
    crumbs: tuple[Crumb, ...] = field(default_factory=tuple)

    @property
    def canonical(self) -> str:
        return absolute_url(self.path)

    @property
    def image_url(self) -> str:
        return absolute_url(self.image) if self.image else ""

    @property
    def full_title(self) -> str:
        return f"{self.title} · {SITE_NAME}"


def clip(text: str, limit: int = 158) -> str:
    """A meta description of at most ``limit`` characters, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;: ") + "…"
