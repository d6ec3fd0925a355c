"""Reads for the public pages: the catalogue, and the prices the pages show.

The catalogue reads touch only ``travel`` tables. The price reads go through ``inventory``
(its models and ``stay_quote``): the public site is the top of the stack, like ``travel.urls``
that mounts every app, so it may read the inventory below it. It never writes.
"""
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet

from catalogue.models import Amenity, Destination, Property, PropertyPhoto, PropertySlugRedirect, RoomType, zone_today
from core.money import money
from inventory.models import Rate, RatePlan
from inventory.selectors import StayQuote, availability_by_night, stay_quote, stay_quotes
from inventory.stays import Stay

FROM_PRICE_DAYS = 60


# --- catalogue -------------------------------------------------------------------------------

def photos_prefetch() -> Prefetch:
    """A hotel's photos with their pictures (renditions) in the same query."""
    return Prefetch("photos", queryset=PropertyPhoto.objects.select_related("picture"))


def room_types_prefetch(queryset: QuerySet[RoomType] | None = None) -> Prefetch:
    """A hotel's room types (``queryset``: all, by default) with their pictures."""
    rooms = RoomType.objects.all() if queryset is None else queryset
    return Prefetch("room_types", queryset=rooms.select_related("picture"))


def destinations_with_hotel_counts() -> QuerySet[Destination]:
    return Destination.objects.select_related("picture").annotate(
        hotel_count=Count("properties", filter=Q(properties__is_active=True))
    ).order_by("name")


def destination_get(*, slug: str) -> Destination | None:
    return Destination.objects.filter(slug=slug).first()


def destination_hotels(*, destination: Destination) -> list[Property]:
    return list(
        destination.properties.filter(is_active=True)
        .prefetch_related(photos_prefetch(), "amenities")
        .order_by("-star_rating", "name")
    )


def hotel_get(*, slug: str) -> Property | None:
    """The hotel with everything its page shows, in a fixed number of queries."""
    rooms = RoomType.objects.order_by("max_occupancy", "code")
    return (
        Property.objects.filter(slug=slug, is_active=True)
        .select_related("destination")
        .prefetch_related(photos_prefetch(), "amenities", room_types_prefetch(rooms), "rate_plans")
        .first()
    )


def hotel_slug_moved_to(*, old_slug: str) -> Property | None:
    moved = PropertySlugRedirect.objects.select_related("property").filter(old_slug=old_slug).first()
    return moved.property if moved else None


def amenity_names() -> dict[str, str]:
    """Amenity code -> the name travellers read ("free-wifi" -> "Free Wi-Fi")."""
    return dict(Amenity.objects.values_list("code", "name"))


def largest_room_in_destination(*, destination: Destination) -> int | None:
    """How many guests the largest room of any active hotel in ``destination`` sleeps."""
    return RoomType.objects.filter(property__destination=destination, property__is_active=True).aggregate(
        largest=Max("max_occupancy"))["largest"]


def sitemap_hotels() -> QuerySet[Property]:
    return Property.objects.filter(is_active=True).order_by("pk")


# --- prices shown on pages --------------------------------------------------------------------

def _sellable_rates(*, start: date, days: int) -> QuerySet[Rate]:
    """Rates of nights that can still be sold (a room left, not on stop-sell)."""
    return Rate.objects.filter(
        date__gte=start,
        date__lt=start + timedelta(days=days),
        room_type__nights__date=F("date"),
        room_type__nights__available__gt=0,
        room_type__nights__stop_sell=False,
    )


def one_night_total(*, prop: Property, double_rate: Decimal) -> Decimal:
    """What one night for two guests in one room costs with taxes and fees, rounded the way
    ``inventory.selectors.stay_quote`` rounds it (per component, to the cent)."""
    room = money(double_rate)
    return room + money(room * prop.tax_percent / 100) + money(prop.fee_per_night)


def from_prices_by_property(*, properties: list[Property], start: date,
                            days: int = FROM_PRICE_DAYS) -> dict[int, Decimal]:
    """The lowest one-night total (2 guests, 1 room, taxes and fees in) per hotel, over the
    next ``days`` nights that are on sale. One query."""
    rows = (
        _sellable_rates(start=start, days=days)
        .filter(room_type__property__in=properties)
        .values("room_type__property_id")
        .annotate(low=Min("double"))
    )
    by_id = {p.pk: p for p in properties}
    return {
        r["room_type__property_id"]: one_night_total(prop=by_id[r["room_type__property_id"]], double_rate=r["low"])
        for r in rows
    }


def from_prices_by_room_type(*, prop: Property, start: date, days: int = FROM_PRICE_DAYS) -> dict[int, Decimal]:
    """The lowest one-night total per room type of one hotel. One query."""
    rows = (
        _sellable_rates(start=start, days=days)
        .filter(room_type__property=prop)
        .values("room_type_id")
        .annotate(low=Min("double"))
    )
    return {r["room_type_id"]: one_night_total(prop=prop, double_rate=r["low"]) for r in rows}


@dataclass(frozen=True)
class RoomOffer:
    """One room type under one rate plan for a chosen stay: the quote the page shows."""

    room_type: RoomType
    rate_plan: RatePlan
    quote: StayQuote


def hotel_offers(*, prop: Property, stay: Stay) -> list[RoomOffer]:
    """Every room type x rate plan of the hotel priced for ``stay`` by ``stay_quote``, the same
    function checkout and the Google feeds use, so the three never disagree."""
    plans = list(prop.rate_plans.all())
    pairs = [(room, plan) for room in prop.room_types.all() for plan in plans]
    for room, _plan in pairs:
        room.property = prop  # the quote reads the hotel's taxes and fees: no query per room
    quotes = stay_quotes(pairs=pairs, stay=stay)
    return [RoomOffer(room_type=room, rate_plan=plan, quote=quote) for (room, plan), quote in zip(pairs, quotes, strict=True)]


def rooms_left_by_room_type(*, room_types: list[RoomType], stay: Stay) -> dict[int, int]:
    """Rooms still sellable for every night of ``stay``, per room type: the fewest over its
    nights, from inventory's live availability (the hot cache, else PostgreSQL)."""
    dates = stay.dates()
    nights = availability_by_night(room_type_ids=[rt.pk for rt in room_types], dates=dates)
    return {rt.pk: min(nights.get((rt.pk, d), 0) for d in dates) for rt in room_types}


@dataclass(frozen=True)
class Deal:
    hotel: Property
    rate_plan: RatePlan
    room_type: RoomType
    quote: StayQuote


def destination_deals(*, destination: Destination, start: date, nights: int = 2,
                      days: int = FROM_PRICE_DAYS) -> list[Deal]:
    """Per hotel, the cheapest night on sale in the next ``days``, priced as a real stay of
    ``nights`` nights from that date (the total shown is the total charged). Cheapest first."""
    deals = []
    for hotel in destination_hotels(destination=destination):
        cheapest = (
            _sellable_rates(start=start, days=days)
            .filter(room_type__property=hotel)
            .select_related("room_type", "rate_plan")
            .order_by("double", "date")
            .first()
        )
        if cheapest is None:
            continue
        cheapest.room_type.property = hotel
        try:
            stay = Stay(cheapest.date, cheapest.date + timedelta(days=nights), rooms=1, guests=2)
        except ValidationError:  # a stay the rules refuse (too far ahead) is not a deal
            continue
        quote = stay_quote(room_type=cheapest.room_type, rate_plan=cheapest.rate_plan, stay=stay)
        if quote.bookable:
            deals.append(Deal(hotel=hotel, rate_plan=cheapest.rate_plan, room_type=cheapest.room_type, quote=quote))
    return sorted(deals, key=lambda d: d.quote.total)


# --- what a dated hotel page depends on (its cache key) --------------------------------------------

_HOTEL_STAY_STAMP = """
SELECT md5(concat_ws('|',
    p::text, d::text,
    (SELECT string_agg(a.amenity_id::text, ',' ORDER BY a.amenity_id) FROM travel_property_amenities a
      WHERE a.property_id = p.id),
    (SELECT string_agg(concat_ws(':', rt::text, pic::text), ',' ORDER BY rt.id) FROM travel_roomtype rt
       LEFT JOIN catalogue_picture pic ON pic.id = rt.picture_id WHERE rt.property_id = p.id),
    (SELECT string_agg(rp::text, ',' ORDER BY rp.id) FROM inventory_rateplan rp WHERE rp.property_id = p.id),
    (SELECT string_agg(concat_ws(':', ph::text, pic::text), ',' ORDER BY ph.id) FROM travel_propertyphoto ph
       LEFT JOIN catalogue_picture pic ON pic.id = ph.picture_id WHERE ph.property_id = p.id),
    (SELECT string_agg(n::text, ',' ORDER BY n.id) FROM inventory_roomnight n
       JOIN travel_roomtype rt ON rt.id = n.room_type_id
      WHERE rt.property_id = p.id AND n.date >= %(first)s AND n.date <= %(departure)s),
    (SELECT string_agg(r::text, ',' ORDER BY r.id) FROM inventory_rate r
       JOIN travel_roomtype rt ON rt.id = r.room_type_id
      WHERE rt.property_id = p.id AND r.date >= %(first)s AND r.date < %(departure)s),
    (SELECT concat_ws(',', count(*), sum(rv.score), max(rv.id), max(rv.updated_at)) FROM reviews_review rv
      WHERE rv.property_id = p.id)
)), d.timezone
FROM travel_property p JOIN travel_destination d ON d.id = p.destination_id
WHERE p.slug = %(slug)s AND p.is_active
"""


def hotel_stay_stamp(*, slug: str, check_in: date, check_out: date) -> str | None:
    """A fingerprint of every row a hotel page for this stay prices and shows from: the hotel (its
    taxes, fees, currency) and its destination, its room types, rate plans, photos (with their
    pictures' renditions) and amenities, every night from check-in to
    the departure night, every rate of the stay, its reviews (count, score sum, newest id, latest
    ``updated_at``: a new review, an edit or an answer moves one of them), and the hotel's today. Any
    change to any of them (a reservation, a release, a staff edit, a rate edit, a catalogue edit, a
    review, a new day at the hotel) changes it: the rows are hashed whole (the reviews by their
    summary), so this holds whichever code wrote them. One query
    (PostgreSQL); None for no such active hotel or another database (nothing is cached then)."""
    if connection.vendor != "postgresql":
        return None
    row = _stamp_row({"slug": slug, "first": check_in, "departure": check_out})
    if row is None:
        return None
    fingerprint, time_zone = row
    return f"{fingerprint}:{zone_today(time_zone)}"  # the hotel's today decides which stays are valid


def _stamp_row(params: dict):
    """Run the fingerprint query. On a connection kept between requests (``CONN_MAX_AGE`` > 0) it
    is a server-side prepared statement (psycopg's ``prepare=True`` on a server-binding cursor):
    PostgreSQL parses and plans it once per connection, then each page hit only binds and executes
    it, where Django's own cursor (client-side binding) sends the text to be parsed and planned
    every time. A connection opened per request (``CONN_MAX_AGE=0``, e.g. behind PgBouncer in
    transaction mode, docs/scaling.md) gains nothing from preparing and is sent the plain query."""
    with connection.cursor() as django_cursor:  # opens the connection; logs the query when asked to
        if not connection.settings_dict.get("CONN_MAX_AGE"):
            django_cursor.execute(_HOTEL_STAY_STAMP, params)
            return django_cursor.fetchone()
        logged = django_cursor.debug_sql(_HOTEL_STAY_STAMP, params) if connection.queries_logged else nullcontext()
        with connection.wrap_database_errors, logged, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_HOTEL_STAY_STAMP, params, prepare=True)
            return cursor.fetchone()
