"""Bookings' figures for ``/metrics``, read at scrape time (registered in ``BookingsConfig.ready()``)."""
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from bookings.models import Booking


def bookings_by_state():
    """How many bookings are in each state now (one grouped count; every state listed, 0 included)."""
    counts = dict(Booking.objects.order_by().values_list("status").annotate(n=Count("pk")))
    family = GaugeMetricFamily("travel_bookings", "Bookings in each state.", labels=["state"])
    for state in Booking.Status.values:
        family.add_metric([state], counts.get(state, 0))
    yield family
