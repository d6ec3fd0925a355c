"""Search pages: hotels (own + partner), flights and activities. Parse the query, call
``travel.search``, render. Bad input re-renders the form with its message and status 400."""
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from catalogue.models import Amenity
from inventory.stays import BOOKING_HORIZON_DAYS, MAX_ROOMS, today_somewhere
from travel import selectors
from travel.occupancy import fit_message, stay_or_error
from travel.search import (
    ACTIVITY_SORTS,
    FLIGHT_SORTS,
    HOTEL_SORTS,
    find_destination,
    hotel_search,
    offer_search,
)

PAGE_SIZE = 10
STAR_CHOICES = [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]


def _check_day(value):
    """A flight or activity date: the supplier knows the place, so any date still today somewhere."""
    earliest, latest = today_somewhere()
    if value < earliest:
        raise ValidationError("The date cannot be in the past.")
    if value > latest + timedelta(days=BOOKING_HORIZON_DAYS):
        raise ValidationError("That date is too far ahead to book yet.")
    return value


class HotelSearchForm(forms.Form):
    destination = forms.CharField(max_length=100, label="Destination or hotel")
    check_in = forms.DateField(label="Check-in", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": "Enter the check-in date as YYYY-MM-DD."})
    check_out = forms.DateField(label="Check-out", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "Enter the check-out date as YYYY-MM-DD."})
    guests = forms.IntegerField(required=False, min_value=1, max_value=MAX_ROOMS * 8, initial=2)
    rooms = forms.IntegerField(required=False, min_value=1, max_value=MAX_ROOMS, initial=1)
    price_min = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2,
                                   label="Min price per night")
    price_max = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2,
                                   label="Max price per night")
    stars = forms.MultipleChoiceField(required=False, choices=STAR_CHOICES, widget=forms.CheckboxSelectMultiple)
    amenities = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    sort = forms.ChoiceField(required=False, choices=list(HOTEL_SORTS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenities"].choices = list(Amenity.objects.values_list("code", "name"))
        earliest, _latest = today_somewhere()  # the calendar offers no day already past everywhere
        self.fields["check_in"].widget.attrs["min"] = earliest.isoformat()
        self.fields["check_out"].widget.attrs["min"] = (earliest + timedelta(days=1)).isoformat()

    def active_filters(self) -> int:
        """How many filters narrow the results (a price bound, stars, amenities): the folded
        filter panel says so, so a traveller on a phone knows the list is filtered."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        bounds = sum(data.get(name) is not None for name in ("price_min", "price_max"))
        return bounds + len(data.get("stars") or ()) + len(data.get("amenities") or ())

    def clean(self):
        data = _with_defaults(super().clean(), self)
        if {"check_in", "check_out", "guests", "rooms"} <= set(data):
            place = find_destination(data["destination"]) if data.get("destination") else None
            data["stay"] = stay_or_error(data["check_in"], data["check_out"], rooms=data["rooms"],
                                         guests=data["guests"],
                                         today=place.local_today() if place else None)  # the destination's date
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "The maximum price must not be below the minimum.")
        return data


class FlightSearchForm(forms.Form):
    origin = forms.CharField(max_length=60, label="From (city or airport)")
    destination = forms.CharField(max_length=60, label="To (city or airport)")
    date = forms.DateField(label="Departure date", widget=forms.DateInput(attrs={"type": "date"}),
                           validators=[_check_day], error_messages={"invalid": "Enter the date as YYYY-MM-DD."})
    passengers = forms.IntegerField(required=False, min_value=1, max_value=9, initial=1)
    sort = forms.ChoiceField(required=False, choices=list(FLIGHT_SORTS.items()))

    def clean(self):
        data = _with_defaults(super().clean(), self)
        origin, destination = data.get("origin"), data.get("destination")
        if origin and destination and origin.strip().casefold() == destination.strip().casefold():
            raise ValidationError("The departure and arrival places must differ.")
        return data


class ActivitySearchForm(forms.Form):
    city = forms.CharField(max_length=60, label="City")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), validators=[_check_day],
                           error_messages={"invalid": "Enter the date as YYYY-MM-DD."})
    participants = forms.IntegerField(required=False, min_value=1, max_value=20, initial=2)
    sort = forms.ChoiceField(required=False, choices=list(ACTIVITY_SORTS.items()))

    def clean(self):
        return _with_defaults(super().clean(), self)


def _with_defaults(data: dict, form: forms.Form) -> dict:
    """Counts left empty take their initial value (2 guests, 1 room, 1 passenger...)."""
    for name in ("guests", "rooms", "passengers", "participants"):
        if name in form.fields and name not in form.errors and data.get(name) is None:
            data[name] = form.fields[name].initial
    return data


def _default_dates() -> dict:
    start = timezone.localdate() + timedelta(days=14)
    return {"check_in": start, "check_out": start + timedelta(days=2), "date": start}


def _page(request, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def search(request):
    """/search/?destination=&check_in=&check_out=&guests=&rooms= plus filters, sort and page."""
    submitted = any(request.GET.get(k) for k in ("destination", "check_in", "check_out"))
    if not submitted:
        form = HotelSearchForm(initial=_default_dates())
        return render(request, "travel/search/hotels.html", {"form": form})
    form = HotelSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "travel/search/hotels.html", {"form": form}, status=400)
    data = form.cleaned_data
    found = hotel_search(
        destination=data["destination"], stay=data["stay"], price_min=data.get("price_min"),
        price_max=data.get("price_max"), stars=tuple(int(s) for s in data["stars"]),
        amenities=tuple(data["amenities"]), sort=data.get("sort") or "price",
    )
    place_name = found.destination.name if found.destination else data["destination"]
    fit, _rooms = fit_message(
        stay=data["stay"], where=f"in {place_name}",
        capacity=selectors.largest_room_in_destination(destination=found.destination) if found.destination else None,
    )
    return render(request, "travel/search/hotels.html", {
        "form": form, "found": found, "stay": data["stay"], "page": _page(request, found.results),
        "query": _query_without_page(request), "place_name": place_name, "fit_message": fit,
        "amenity_names": selectors.amenity_names(),
    })


def flights(request):
    return _offer_page(request, kind="flight", form_class=FlightSearchForm, template="travel/search/flights.html",
                       required=("origin", "destination", "date"))


def activities(request):
    return _offer_page(request, kind="activity", form_class=ActivitySearchForm,
                       template="travel/search/activities.html", required=("city", "date"))


def _offer_page(request, *, kind, form_class, template, required):
    if not any(request.GET.get(k) for k in required):
        return render(request, template, {"form": form_class(initial=_default_dates())})
    form = form_class(request.GET)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    criteria = {k: v for k, v in form.cleaned_data.items() if k != "sort"}
    found = offer_search(kind=kind, sort=form.cleaned_data.get("sort") or "price", **criteria)
    return render(request, template, {
        "form": form, "found": found, "criteria": criteria, "page": _page(request, found.offers),
        "query": _query_without_page(request),
    })
