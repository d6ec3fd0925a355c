"""The channel manager's figures for ``/metrics`` read at scrape time (registered in
``ChannelsConfig.ready()``). Push latency is counted as pushes succeed (``core.metrics``)."""
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from channels.models import DirtyMark


def open_dirty_marks():
    """Date ranges each channel may show wrong (a push gave up; not cleared yet)."""
    counts = (DirtyMark.objects.filter(cleared_at__isnull=True).order_by()
              .values_list("listing__channel__code").annotate(n=Count("pk")))
    family = GaugeMetricFamily("travel_channel_dirty_marks", "Open dirty marks, by channel.", labels=["channel"])
    for channel, n in counts:
        family.add_metric([channel], n)
    yield family
