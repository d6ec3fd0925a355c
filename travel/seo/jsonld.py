"""schema.org JSON-LD documents for the public pages, as plain dicts (rendered by the
``json_ld`` template filter). Prices are strings with two decimals: what the page shows."""
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from travel.seo import Crumb, absolute_url

SCHEMA = "https://schema.org"


def _price(amount: Decimal) -> str:
    return f"{amount:.2f}"


def breadcrumb_list(crumbs: tuple[Crumb, ...]) -> dict:
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": c.name, "item": absolute_url(c.path)}
            for i, c in enumerate(crumbs, start=1)
        ],
    }


def website() -> dict:
    return {
        "@context": SCHEMA,
        "@type": "WebSite",
        "name": "Lotus Trails",
        "url": absolute_url("/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": absolute_url("/search/") + "?destination={destination}"},
            "query-input": "required name=destination",
        },
    }


def postal_address(prop) -> dict:
    return {
        "@type": "PostalAddress",
        "streetAddress": prop.street_address,
        "addressLocality": prop.locality,
        "addressRegion": prop.region,
        "postalCode": prop.postal_code,
        "addressCountry": prop.country_code,
    }


def hotel(*, prop, offers=(), stay=None, review_summary=None, reviews=()) -> dict:
    """A ``Hotel`` with its rooms (``HotelRoom``), its guests' score (``AggregateRating``) and
    the reviews the page shows (``Review``), and, for a chosen stay, an ``Offer`` per bookable
    room type x rate plan at the total the page shows."""
    url = absolute_url(prop.get_absolute_url())
    document = {
        "@context": SCHEMA,
        "@type": "Hotel",
        "@id": url + "#hotel",
        "name": prop.name,
        "url": url,
        "description": prop.description or prop.summary,
        "image": [absolute_url(p.largest_image_url) for p in prop.photos.all()],
        "address": postal_address(prop),
        "geo": {"@type": "GeoCoordinates", "latitude": float(prop.latitude), "longitude": float(prop.longitude)},
        "starRating": {"@type": "Rating", "ratingValue": prop.star_rating, "bestRating": 5},
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": a.name, "value": True} for a in prop.amenities.all()
        ],
        "checkinTime": prop.check_in_time.strftime("%H:%M:%S"),
        "checkoutTime": prop.check_out_time.strftime("%H:%M:%S"),
        "currenciesAccepted": prop.currency,
        "containsPlace": [hotel_room(room) for room in prop.room_types.all()],
    }
    if prop.phone:
        document["telephone"] = prop.phone
    if review_summary is not None and review_summary.count:
        document["aggregateRating"] = aggregate_rating(review_summary)
        document["review"] = [review(r, summary=review_summary) for r in reviews]
    bookable = [o for o in offers if o.quote.bookable]
    if bookable and stay is not None:
        document["makesOffer"] = [offer(prop=prop, room_offer=o, stay=stay) for o in bookable]
    return document


def aggregate_rating(summary) -> dict:
    """The guests' mean score on the page's scale (1-10), as the page shows it."""
    return {"@type": "AggregateRating", "ratingValue": float(summary.average), "reviewCount": summary.count,
            "bestRating": summary.best, "worstRating": summary.worst}


def review(item, *, summary) -> dict:
    return {
        "@type": "Review",
        "author": {"@type": "Person", "name": item.author_name},
        "datePublished": item.created_at.date().isoformat(),
        "reviewBody": item.text,
        "reviewRating": {"@type": "Rating", "ratingValue": item.score, "bestRating": summary.best,
                         "worstRating": summary.worst},
    }


def hotel_room(room) -> dict:
    data = {
        "@type": "HotelRoom",
        "name": room.name,
        "description": room.description,
        "occupancy": {"@type": "QuantitativeValue", "maxValue": room.max_occupancy},
    }
    if room.bed:
        data["bed"] = room.bed
    if room.size_sqm:
        data["floorSize"] = {"@type": "QuantitativeValue", "value": room.size_sqm, "unitCode": "MTK"}
    return data


def offer(*, prop, room_offer, stay) -> dict:
    quote = room_offer.quote
    query = urlencode({"check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
                       "guests": stay.guests, "rooms": stay.rooms})
    return {
        "@type": "Offer",
        "name": f"{room_offer.room_type.name}, {room_offer.rate_plan.name}",
        "url": absolute_url(prop.get_absolute_url()) + "?" + query,
        "price": _price(quote.total),
        "priceCurrency": quote.currency,
        "availability": "https://schema.org/InStock",
        "priceSpecification": {
            "@type": "CompoundPriceSpecification",
            "price": _price(quote.total),
            "priceCurrency": quote.currency,
            "valueAddedTaxIncluded": True,
            "priceComponent": [
                {"@type": "UnitPriceSpecification", "name": "Room", "price": _price(quote.room_total),
                 "priceCurrency": quote.currency},
                {"@type": "UnitPriceSpecification", "name": "Taxes", "price": _price(quote.taxes),
                 "priceCurrency": quote.currency},
                {"@type": "UnitPriceSpecification", "name": "Fees", "price": _price(quote.fees),
                 "priceCurrency": quote.currency},
            ],
        },
        "itemOffered": hotel_room(room_offer.room_type),
        "description": (f"{stay.nights} night{'s' if stay.nights != 1 else ''} from {stay.check_in:%d %b %Y}, "
                        f"{stay.guests} guest{'s' if stay.guests != 1 else ''}, {stay.rooms} room"
                        f"{'s' if stay.rooms != 1 else ''}; taxes and fees included"),
    }


def hotel_item_list(*, destination, hotels, from_prices: dict) -> dict:
    """The hotels of a destination page, in page order."""
    items = []
    for position, prop in enumerate(hotels, start=1):
        entry = {
            "@type": "Hotel",
            "name": prop.name,
            "url": absolute_url(prop.get_absolute_url()),
            "address": postal_address(prop),
            "starRating": {"@type": "Rating", "ratingValue": prop.star_rating, "bestRating": 5},
        }
        low = from_prices.get(prop.pk)
        if low is not None:
            entry["priceRange"] = f"from {prop.currency} {_price(low)} per night"
        items.append({"@type": "ListItem", "position": position, "item": entry})
    return {
        "@context": SCHEMA,
        "@type": "ItemList",
        "name": f"Hotels in {destination.name}",
        "url": absolute_url(reverse("destination", kwargs={"slug": destination.slug})),
        "numberOfItems": len(items),
        "itemListElement": items,
    }
