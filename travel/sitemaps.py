"""sitemap.xml: every public page with its lastmod, on SITE_URL.

One <urlset> while the site has at most ``PublicSitemap.limit`` (50,000, Google's limit) URLs;
past that, /sitemap.xml becomes a sitemap index of per-section files, each paginated at the
same limit (/sitemap-hotels.xml?p=2 ...).

Hotel entries list the hotel's photos and room photos, destination entries the destination's
picture, as Google image sitemap entries (``<image:image><image:loc>``), on SITE_URL: the widest
rendition of an uploaded picture, else the row's legacy address.
"""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse

from catalogue.models import Destination, Property
from travel.selectors import photos_prefetch, room_types_prefetch
from travel.seo import absolute_url

TEMPLATE = "travel/sitemap.xml"  # Django's urlset plus the image namespace and <image:image> entries


class PublicSitemap(Sitemap):
    limit = 50000

    def images(self, item) -> list[str]:
        """Paths or URLs of the pictures on the item's page; none by default."""
        return []

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            url["images"] = [absolute_url(image) for image in self.images(url["item"]) if image]
        return urls

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class HomeSitemap(PublicSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["home"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Property.objects.filter(is_active=True).aggregate(latest=Max("updated_at"))["latest"]


class DestinationSitemap(PublicSitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Destination.objects.select_related("picture").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def images(self, item):
        return [item.largest_image_url]


class DealsSitemap(DestinationSitemap):
    priority = 0.6

    def images(self, item):
        return []  # the destination's picture is the destination page's

    def location(self, item):
        return reverse("destination-deals", kwargs={"slug": item.slug})


class HotelSitemap(PublicSitemap):
    changefreq = "daily"
    priority = 0.9

    def items(self):
        return (Property.objects.filter(is_active=True).order_by("pk")
                .prefetch_related(photos_prefetch(), room_types_prefetch()))

    def lastmod(self, item):
        return item.updated_at

    def images(self, item):
        return [photo.largest_image_url for photo in item.photos.all()] + [
            room.largest_image_url for room in item.room_types.all()]


SITEMAPS = {
    "home": HomeSitemap,
    "destinations": DestinationSitemap,
    "deals": DealsSitemap,
    "hotels": HotelSitemap,
}


def sitemap(request):
    """The whole sitemap while it fits one file, else the index of its sections."""
    sections = {name: cls() for name, cls in SITEMAPS.items()}
    total = sum(s.paginator.count for s in sections.values())
    if total <= PublicSitemap.limit:
        return sitemap_views.sitemap(request, sections, template_name=TEMPLATE)
    entries = []
    for name, section in sections.items():
        url = absolute_url(reverse("sitemap-section", kwargs={"section": name}))
        lastmod = section.get_latest_lastmod()
        for page in range(1, section.paginator.num_pages + 1):
            entries.append({"location": url if page == 1 else f"{url}?p={page}", "last_mod": lastmod})
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, {name: cls() for name, cls in SITEMAPS.items()}, section=section,
                                 template_name=TEMPLATE)
