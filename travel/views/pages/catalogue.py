"""Home, destination, deals and hotel pages."""
from dataclasses import replace
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from inventory.stays import today_somewhere
from reviews.freshness import page_version
from reviews.selectors import hotel_reviews
from travel import location, selectors
from travel.occupancy import fit_message
from travel.seo import Crumb, PageMeta, clip, jsonld
from travel.views.pages.cache import cacheable, cached_dated_hotel_page, cached_page
from travel.views.pages.stay_form import StayForm, stay_from_query

HOME = Crumb("Home", "/")
FEW_ROOMS_LEFT = 3  # "only N left" at or below this many rooms for the whole stay


def _stay_query(stay) -> str:
    return urlencode({"check_in": stay.check_in.isoformat(), "check_out": stay.check_out.isoformat(),
                      "guests": stay.guests, "rooms": stay.rooms})


def home(request):
    def build():
        destinations = list(selectors.destinations_with_hotel_counts())
        meta = PageMeta(
            title="Hotels in Southeast Asia, one price with taxes and fees",
            description=clip(
                "Hand-picked hotels in " + ", ".join(d.name for d in destinations)
                + ". The price you see includes taxes and fees; pay in the cryptocurrency you choose."
            ),
            path="/",
        )
        return render(request, "travel/home.html", {
            "meta": meta,
            "destinations": destinations,
            "form": StayForm(initial={"guests": 2, "rooms": 1}, today=today_somewhere()[0]),  # no day past everywhere
            "structured_data": [jsonld.website()],
        })

    return cached_page(request, "home", build)


def destination(request, slug):
    def build():
        place = selectors.destination_get(slug=slug)
        if place is None:
            raise Http404("No such destination")
        today = place.local_today()
        form, stay = stay_from_query(request.GET, today=today)
        hotels = selectors.destination_hotels(destination=place)
        from_prices = selectors.from_prices_by_property(properties=hotels, start=today)
        crumbs = (HOME, Crumb(place.name, place.get_absolute_url()))
        meta = PageMeta(
            title=f"Hotels in {place.name}, {place.country}",
            description=clip(f"{len(hotels)} hotels in {place.name}: {place.summary} Prices include taxes and fees."),
            path=place.get_absolute_url(),
            image=place.largest_image_url,
            crumbs=crumbs,
            noindex=bool(request.GET),
        )
        cards = [{"hotel": h, "from_price": from_prices.get(h.pk), "distance": location.hotel_distance(h)} for h in hotels]
        return render(request, "travel/destination.html", {
            "meta": meta,
            "destination": place,
            "cards": cards,
            "form": form,
            "stay": stay,
            "stay_query": _stay_query(stay) if stay else "",
            "structured_data": [
                jsonld.breadcrumb_list(crumbs),
                jsonld.hotel_item_list(destination=place, hotels=hotels, from_prices=from_prices),
            ],
        })

    return cached_page(request, f"destination:{slug}", build)


def deals(request, slug):
    def build():
        place = selectors.destination_get(slug=slug)
        if place is None:
            raise Http404("No such destination")
        found = selectors.destination_deals(destination=place, start=place.local_today())
        path = reverse("destination-deals", kwargs={"slug": slug})
        crumbs = (HOME, Crumb(place.name, place.get_absolute_url()), Crumb("Deals", path))
        lowest = f" from {found[0].quote.currency} {found[0].quote.total:,.2f} for two nights" if found else ""
        meta = PageMeta(
            title=f"Hotel deals in {place.name}: the lowest prices of the next two months",
            description=clip(f"The cheapest two-night stays at {len(found)} hotels in {place.name}{lowest}, "
                             "taxes and fees included."),
            path=path,
            image=place.largest_image_url,
            crumbs=crumbs,
        )
        rows = [{"deal": d, "query": _stay_query(d.quote.stay)} for d in found]
        return render(request, "travel/landing.html", {
            "meta": meta, "destination": place, "rows": rows,
            "structured_data": [jsonld.breadcrumb_list(crumbs)],
        })

    return cached_page(request, f"deals:{slug}", build)


def hotel(request, slug):
    def build():
        prop = selectors.hotel_get(slug=slug)
        if prop is None:
            return _moved_hotel(request, slug)
        today = prop.local_today()
        form, stay = stay_from_query(request.GET, today=today)
        place = prop.destination
        offers = selectors.hotel_offers(prop=prop, stay=stay) if stay else []
        from_prices = {} if stay else selectors.from_prices_by_room_type(prop=prop, start=today)
        crumbs = (HOME, Crumb(place.name, place.get_absolute_url()), Crumb(prop.name, prop.get_absolute_url()))
        photos = list(prop.photos.all())
        meta = PageMeta(
            title=f"{prop.name}, {prop.star_rating}-star hotel in {prop.locality}, {place.name}",
            description=clip(prop.summary + " Check-in from " + prop.check_in_time.strftime("%H:%M")
                             + "; the price shown includes taxes and fees."),
            path=prop.get_absolute_url(),
            og_type="hotel",
            image=photos[0].largest_image_url if photos else place.largest_image_url,
            crumbs=crumbs,
            noindex=bool(request.GET),
        )
        room_types = list(prop.room_types.all())
        rooms_left = selectors.rooms_left_by_room_type(room_types=room_types, stay=stay) if stay else {}
        rooms = [
            {"room": room, "from_price": from_prices.get(room.pk), "rooms_left": rooms_left.get(room.pk),
             "offers": [o for o in offers if o.room_type.pk == room.pk]}
            for room in room_types
        ]
        fit, rooms_to_ask = fit_message(stay=stay, capacity=max((r.max_occupancy for r in room_types), default=None),
                                        where="here") if stay else ("", None)
        reviews = hotel_reviews(property_id=prop.pk)
        return render(request, "travel/hotel.html", {
            "meta": meta,
            "hotel": prop,
            "photos": photos,
            "rooms": rooms,
            "form": form,
            "stay": stay,
            "any_bookable": any(o.quote.bookable for o in offers),
            "few_left": FEW_ROOMS_LEFT,
            "hotel_zone": location.clock(prop.local_now()),
            "location": location.hotel_plan(prop),
            "plan_grid": range(75, 600, 75),
            "fit_message": fit,
            "fit_rooms": rooms_to_ask,
            "fit_query": _stay_query(replace(stay, rooms=rooms_to_ask)) if rooms_to_ask else "",
            "review_summary": reviews.summary,
            "reviews": reviews.recent,
            "structured_data": [jsonld.breadcrumb_list(crumbs), jsonld.hotel(prop=prop, offers=offers, stay=stay,
                                                                             review_summary=reviews.summary,
                                                                             reviews=reviews.recent)],
        })

    if request.GET:
        return cached_dated_hotel_page(request, slug, build)
    # a new review or answer renews the hotel's reviews token, so the page is built again at once
    version = page_version(slug=slug) if cacheable(request) else ""
    return cached_page(request, f"hotel:{slug}:{version}", build)


def _moved_hotel(request, slug):
    """A renamed hotel answers 301 at its old slug, keeping the query (the chosen dates)."""
    moved = selectors.hotel_slug_moved_to(old_slug=slug)
    if moved is None or not moved.is_active:
        raise Http404("No such hotel")
    target = moved.get_absolute_url()
    if request.META.get("QUERY_STRING"):
        target += "?" + request.META["QUERY_STRING"]
    return redirect(target, permanent=True)
