"""The catalogue: where travellers can go and what they can sell there.

Every date that decides something (check-in in the past, free cancellation, stay completed) is
a date on the hotel's own calendar: ``Property.local_today()``, from its destination's IANA time
zone (``zone_today`` for a batch grouped by zone).
"""
import logging
import zoneinfo
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone as django_timezone

logger = logging.getLogger(__name__)
MACHINE_ZONES = {"localtime", "posixrules", "Factory"}  # depend on the server, or name no place


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - MACHINE_ZONES)


def standard_check_in_time() -> time:
    """A new property's check-in: 14:00. A callable, since Django's checks warn (fields.W161)
    about a fixed time default whenever they run within ten seconds of it."""
    return time(14, 0)


def standard_check_out_time() -> time:
    """A new property's check-out: 12:00 (a callable for the same reason)."""
    return time(12, 0)


def validate_timezone(value: str) -> None:
    """Raise ValidationError unless ``value`` is an IANA time zone name (``Asia/Bangkok``)."""
    if value not in _known_zones():
        raise ValidationError(f"“{value}” is not a time zone: use an IANA name such as Asia/Bangkok.",
                              code="timezone")


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called ``name``; UTC, with a warning logged once, for a name the zone database lacks."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        logger.warning("Unknown time zone %r: dates fall back to UTC.", name)
        return zoneinfo.ZoneInfo("UTC")


def zone_now(name: str, *, now: datetime | None = None) -> datetime:
    """This instant (or ``now``) on the wall clock of zone ``name``."""
    return (now or django_timezone.now()).astimezone(zone(name))


def zone_today(name: str, *, now: datetime | None = None) -> date:
    """The calendar date in zone ``name`` at this instant (or ``now``)."""
    return zone_now(name, now=now).date()


class Picture(models.Model):
    """A photo as staff uploaded it (``original``) and the renditions pages show: WebP files at
    fixed widths, never wider than the original, each recorded as ``{"width", "height", "name"}``
    (a storage name), narrowest first. Made by ``catalogue.renditions``; never changed after:
    a new upload is a new picture, so its URLs can be cached for ever."""

    original = models.FileField(upload_to="pictures/", max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    renditions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.original.name} ({self.width}×{self.height})"

    def _url(self, rendition: dict) -> str:
        return self.original.storage.url(rendition["name"])

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self._url(r)} {r['width']}w" for r in self.renditions)

    def rendition(self, width: int = 800) -> dict:
        """The narrowest rendition at least ``width`` wide (the widest if none is)."""
        return next((r for r in self.renditions if r["width"] >= width), self.renditions[-1])

    def url(self, width: int = 800) -> str:
        return self._url(self.rendition(width))

    @property
    def largest_url(self) -> str:
        return self._url(self.renditions[-1])


class ShowsPicture:
    """A row shown with an uploaded ``picture`` (its renditions) or, without one, the legacy
    address in ``legacy_url_field`` (an external URL or a drawing under /static/)."""

    legacy_url_field = "image_url"

    @property
    def largest_image_url(self) -> str:
        """The widest rendition's URL (sitemaps, structured data, link previews), or the legacy one."""
        if self.picture_id and self.picture.renditions:
            return self.picture.largest_url
        return getattr(self, self.legacy_url_field)


class Destination(ShowsPicture, models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    country = models.CharField(max_length=80)
    country_code = models.CharField(max_length=2)
    summary = models.CharField(max_length=300, help_text="One sentence, used as meta description.")
    description = models.TextField(blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone],
                                help_text="IANA name, e.g. Asia/Bangkok: the hotels' own calendar.")
    image_url = models.CharField(max_length=300, blank=True, help_text="An absolute URL or a path under /static/.")
    picture = models.ForeignKey(Picture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                help_text="Uploaded photo; shown instead of the image URL.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "travel_destination"  # kept from before the catalogue had its own app
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("destination", kwargs={"slug": self.slug})

    def local_now(self, *, now: datetime | None = None) -> datetime:
        return zone_now(self.timezone, now=now)

    def local_today(self, *, now: datetime | None = None) -> date:
        """Today on this destination's calendar (not the server's)."""
        return zone_today(self.timezone, now=now)


class Amenity(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        db_table = "travel_amenity"  # kept from before the catalogue had its own app
        ordering = ["name"]
        verbose_name_plural = "amenities"

    def __str__(self):
        return self.name


class Property(models.Model):
    """A hotel the platform sells from its own inventory."""

    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="properties")
    chain = models.CharField(max_length=120, blank=True)
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=180, unique=True)
    star_rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    summary = models.CharField(max_length=300, help_text="One sentence, used as meta description.")
    description = models.TextField(blank=True)
    street_address = models.CharField(max_length=200)
    locality = models.CharField(max_length=120)
    region = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    phone = models.CharField(max_length=40, blank=True)
    check_in_time = models.TimeField(default=standard_check_in_time)
    check_out_time = models.TimeField(default=standard_check_out_time)
    currency = models.CharField(max_length=3, default="USD")
    tax_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10.00"),
        help_text="Taxes charged on the room price, in percent.",
    )
    fee_per_night = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"),
        help_text="Resort or service fee per room and night, included in every total shown.",
    )
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="properties")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="staffed_properties",
        help_text="Hotel staff who manage this property in the admin.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "travel_property"  # kept from before the catalogue had its own app
        ordering = ["name"]
        verbose_name_plural = "properties"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hotel", kwargs={"slug": self.slug})

    def local_now(self, *, now: datetime | None = None) -> datetime:
        return self.destination.local_now(now=now)

    def local_today(self, *, now: datetime | None = None) -> date:
        """Today at the hotel: the date its check-in, cancellation and check-out rules use."""
        return self.destination.local_today(now=now)


class PropertyPhoto(ShowsPicture, models.Model):
    legacy_url_field = "url"

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    url = models.CharField(max_length=300, blank=True,
                           help_text="An absolute URL or a path under /static/ (for a photo not uploaded).")
    picture = models.ForeignKey(Picture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                help_text="Uploaded photo; shown instead of the URL.")
    alt = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "travel_propertyphoto"  # kept from before the catalogue had its own app
        ordering = ["position", "id"]

    def __str__(self):
        return self.alt or f"Photo {self.position + 1}"


class PropertySlugRedirect(models.Model):
    """An old slug that must keep answering (301) after a rename."""

    old_slug = models.SlugField(max_length=180, unique=True)
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="slug_redirects")

    def __str__(self):
        return f"{self.old_slug} → {self.property.slug}"

    class Meta:
        db_table = "travel_propertyslugredirect"  # kept from before the catalogue had its own app


class RoomType(ShowsPicture, models.Model):
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="room_types")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    max_occupancy = models.PositiveSmallIntegerField(default=2)
    bed = models.CharField(max_length=60, blank=True)
    size_sqm = models.PositiveSmallIntegerField(null=True, blank=True)
    image_url = models.CharField(max_length=300, blank=True, help_text="An absolute URL or a path under /static/.")
    picture = models.ForeignKey(Picture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                help_text="Uploaded photo; shown instead of the image URL.")

    class Meta:
        db_table = "travel_roomtype"  # kept from before the catalogue had its own app
        ordering = ["property", "code"]
        constraints = [
            models.UniqueConstraint(fields=["property", "code"], name="roomtype_unique_code_per_property"),
        ]

    def __str__(self):
        return f"{self.property.name} · {self.name}"
