"""Reads of the catalogue."""
from django.db.models import Count, Q, QuerySet

from travel.models import Destination


def destinations_with_hotel_counts() -> QuerySet[Destination]:
    return Destination.objects.annotate(
        hotel_count=Count("properties", filter=Q(properties__is_active=True))
    ).order_by("name")
