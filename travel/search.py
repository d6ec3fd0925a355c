"""Search: our own hotels (catalogue + inventory) merged with partner offers from suppliers.

Own hotels: availability per night from ``inventory.selectors.availability_by_night`` (the hot
cache), the price from ``stay_quote`` (total incl. taxes and fees, the price charged), the
cheapest bookable room type and rate plan per hotel. Partner hotels, flights and activities come
from ``suppliers.search_offers`` (cached). A supplier that is slow, down or rate-limiting
never breaks the page: the own results are shown with a message instead.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from catalogue.models import Destination, Property
from core.money import money
from inventory.selectors import StayQuote, availability_by_night, stay_quotes
from inventory.stays import Stay
from suppliers import search_offers
from suppliers.errors import SupplierError, SupplierRateLimited
from suppliers.types import Offer

PARTNER_UNAVAILABLE = "Partner offers are unavailable right now. Showing our own hotels; please try again in a minute."
HOTEL_SORTS = {"price": "Price (lowest first)", "price_desc": "Price (highest first)", "stars": "Stars", "name": "Name"}
FLIGHT_SORTS = {"price": "Price", "depart": "Departure time", "duration": "Duration"}
ACTIVITY_SORTS = {"price": "Price", "name": "Name", "start": "Start time"}


@dataclass(frozen=True)
class HotelResult:
    source: str  # "own" | "partner"
    name: str
    stars: int
    amenities: tuple[str, ...]  # amenity codes
    place: str
    total: Decimal  # for the whole stay, taxes and fees included
    per_night: Decimal  # "from" price per night (total / nights)
    currency: str
    url: str
    summary: str = ""
    supplier: str = ""

    @property
    def is_partner(self) -> bool:
        return self.source == "partner"


@dataclass
class HotelSearch:
    results: list[HotelResult]
    destination: Destination | None
    partner_message: str = ""
    own_count: int = 0
    partner_count: int = 0


@dataclass
class OfferSearch:
    offers: list[Offer] = field(default_factory=list)
    message: str = ""


def find_destination(text: str) -> Destination | None:
    text = " ".join(text.split())
    return Destination.objects.filter(Q(slug__iexact=text) | Q(name__iexact=text)).first()


def hotel_search(*, destination: str, stay: Stay, price_min: Decimal | None = None, price_max: Decimal | None = None,
                 stars: tuple[int, ...] = (), amenities: tuple[str, ...] = (), sort: str = "price") -> HotelSearch:
    place = find_destination(destination)
    own = own_hotels(destination=destination, place=place, stay=stay, stars=stars, amenities=amenities)
    partner, message = partner_hotels(destination=place.name if place else destination, stay=stay)
    partner = [r for r in partner if (not stars or r.stars in stars) and set(amenities) <= set(r.amenities)]
    results = [r for r in own + partner if _in_price_range(r.per_night, price_min, price_max)]
    return HotelSearch(
        results=sort_hotels(results, sort), destination=place, partner_message=message,
        own_count=sum(not r.is_partner for r in results), partner_count=sum(r.is_partner for r in results),
    )


def own_hotels(*, destination: str, place: Destination | None, stay: Stay, stars=(), amenities=()) -> list[HotelResult]:
    hotels = Property.objects.filter(is_active=True)
    if place is not None:
        hotels = hotels.filter(destination=place)
    else:
        text = " ".join(destination.split())
        hotels = hotels.filter(Q(destination__name__icontains=text) | Q(locality__icontains=text)
                               | Q(name__icontains=text) | Q(region__icontains=text))
    if stars:
        hotels = hotels.filter(star_rating__in=stars)
    for code in amenities:
        hotels = hotels.filter(amenities__code=code)
    hotels = [hotel for hotel in hotels.distinct().select_related("destination")
              .prefetch_related("amenities", "room_types", "rate_plans")
              if stay.check_in >= hotel.local_today()]  # check-in not yet passed at the hotel
    dates = stay.dates()
    rooms_left = availability_by_night(
        room_type_ids=[rt.pk for h in hotels for rt in h.room_types.all()], dates=dates
    )
    pairs = []  # every sellable (room type, rate plan) of every hotel, priced in one go below
    for hotel in hotels:
        for room_type in hotel.room_types.all():
            if room_type.max_occupancy < stay.guests_per_room:
                continue
            if any(rooms_left.get((room_type.pk, d), 0) < stay.rooms for d in dates):
                continue
            room_type.property = hotel  # the quote reads the hotel's taxes and fees: no query per room
            pairs += [(room_type, plan) for plan in hotel.rate_plans.all()]
    best: dict[int, StayQuote] = {}
    for (room_type, _plan), quote in zip(pairs, stay_quotes(pairs=pairs, stay=stay), strict=True):
        cheapest = best.get(room_type.property_id)
        if quote.bookable and (cheapest is None or quote.total < cheapest.total):
            best[room_type.property_id] = quote
    results = []
    for hotel in hotels:
        quote = best.get(hotel.pk)
        if quote is not None:
            results.append(HotelResult(
                source="own", name=hotel.name, stars=hotel.star_rating,
                amenities=tuple(a.code for a in hotel.amenities.all()), place=hotel.locality,
                total=quote.total, per_night=quote.per_night, currency=quote.currency,
                url=f"{reverse('hotel', kwargs={'slug': hotel.slug})}?{stay_query(stay)}", summary=hotel.summary,
            ))
    return results


def partner_hotels(*, destination: str, stay: Stay) -> tuple[list[HotelResult], str]:
    try:
        found = search_offers(kind="hotel", destination=destination, check_in=stay.check_in,
                              check_out=stay.check_out, guests=stay.guests, rooms=stay.rooms)
    except SupplierError as exc:
        return [], partner_message(exc)
    results = []
    for offer in found.offers:
        d = offer.details
        results.append(HotelResult(
            source="partner", name=offer.title, stars=int(d.get("stars") or 0),
            amenities=tuple(d.get("amenities") or ()), place=str(d.get("city", "")),
            total=offer.price, per_night=money(offer.price / stay.nights), currency=offer.currency,
            url=offer_url(offer), supplier=offer.supplier,
        ))
    return results, ""


def sort_hotels(results: list[HotelResult], sort: str) -> list[HotelResult]:
    if sort == "stars":
        return sorted(results, key=lambda r: (-r.stars, r.per_night, r.name))
    if sort == "name":
        return sorted(results, key=lambda r: (r.name.casefold(), r.per_night))
    if sort == "price_desc":
        return sorted(results, key=lambda r: (-r.per_night, r.name))
    return sorted(results, key=lambda r: (r.per_night, r.name))


def offer_search(*, kind: str, sort: str, **criteria) -> OfferSearch:
    """Flights or activities from the supplier, sorted; a message instead when it cannot answer."""
    try:
        offers = list(search_offers(kind=kind, **criteria).offers)
    except SupplierError as exc:
        return OfferSearch(message=partner_message(exc, what=f"{kind.title()} offers"))
    keys = {
        "depart": lambda o: (o.details.get("depart_at", ""), o.price),
        "duration": lambda o: (int(o.details.get("duration_minutes") or 0), o.price),
        "start": lambda o: (o.details.get("start_time", ""), o.price),
        "name": lambda o: (o.title.casefold(), o.price),
    }
    return OfferSearch(offers=sorted(offers, key=keys.get(sort, lambda o: (o.price, o.title))))


def partner_message(exc: SupplierError, *, what: str = "") -> str:
    if not what:
        return PARTNER_UNAVAILABLE
    if isinstance(exc, SupplierRateLimited):
        wait = f" in {exc.retry_after} second{'s' if exc.retry_after != 1 else ''}"
    else:
        wait = " in a minute"
    return f"{what} are unavailable right now. Please try again{wait}."


def stay_query(stay: Stay) -> str:
    return urlencode({"check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
                      "guests": stay.guests, "rooms": stay.rooms})


def offer_url(offer: Offer) -> str:
    return "/book/offer/?" + urlencode({"kind": offer.kind, "offer_id": offer.id})


def _in_price_range(price: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or price >= low) and (high is None or price <= high)
