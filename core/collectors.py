"""The platform's own figures read at scrape time (``/metrics``): dead letters, outbox lag and
queue depths. Registered in ``CoreConfig.ready()``; each is one cheap query or broker call."""
import logging

from celery import current_app
from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from core.metrics import register_collector

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_S = 1.0


def dead_letters():
    from core.models import FailedTask

    family = GaugeMetricFamily("travel_dead_letters", "Tasks that gave up and wait for staff (unresolved failed-task records).")
    family.add_metric([], FailedTask.objects.filter(resolved_at__isnull=True).count())
    yield family


def outbox_lag():
    from core.models import OutboxMessage

    oldest = OutboxMessage.objects.filter(published_at__isnull=True).aggregate(oldest=Min("created_at"))["oldest"]
    family = GaugeMetricFamily("travel_outbox_lag_seconds",
                               "Age of the oldest outbox row not yet handed to the broker (0: none waiting).")
    family.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
    yield family


def queue_depths():
    """Messages ready in each RabbitMQ queue (a passive declare each); nothing without a broker."""
    if not settings.CELERY_BROKER_URL:
        return
    family = GaugeMetricFamily("travel_queue_messages", "Messages waiting in a RabbitMQ queue.", labels=["queue"])
    names = [*settings.TASK_QUEUES, *settings.INVENTORY_SHARD_QUEUES, settings.DEAD_LETTER_QUEUE]
    try:
        for name, count in _ready_counts(names):
            family.add_metric([name], count)
    except Exception as exc:  # noqa: BLE001 - a scrape reports what it can; the broker's health is /healthz's
        logger.warning("queue depths not read: %r", exc)
        return
    yield family


def _ready_counts(names):
    with current_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_S)
        for name in names:
            channel = conn.channel()
            try:
                _, ready, _ = channel.queue_declare(queue=name, passive=True)
                yield name, ready
            except conn.channel_errors:
                pass  # not declared (yet): no figure
            finally:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001 - a channel the broker closed on a missing queue
                    pass


def register() -> None:
    register_collector("core.dead_letters", dead_letters)
    register_collector("core.outbox_lag", outbox_lag)
    register_collector("core.queue_depths", queue_depths)
