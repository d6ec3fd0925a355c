"""Public pages. Views only translate HTTP: they read through selectors and render."""
from django.shortcuts import get_object_or_404, redirect, render

from travel.models import Destination, Property, PropertySlugRedirect

from travel.selectors import destinations_with_hotel_counts


def home(request):
    return render(request, "travel/home.html", {"destinations": destinations_with_hotel_counts()})


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def destination(request, slug):
    place = get_object_or_404(Destination, slug=slug)
    hotels = place.properties.filter(is_active=True).order_by("-star_rating", "name")
    return render(request, "travel/destination.html", {"destination": place, "hotels": hotels})


def hotel(request, slug):
    prop = Property.objects.filter(slug=slug, is_active=True).first()
    if prop is None:
        moved = get_object_or_404(PropertySlugRedirect.objects.select_related("property"), old_slug=slug)
        return redirect(moved.property, permanent=True)
    return render(request, "travel/hotel.html", {"hotel": prop})
