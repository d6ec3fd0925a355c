"""Thin Celery wrappers around inventory services."""
import random

from celery import shared_task

from core.task_base import ReliableTask
from inventory.errors import Busy
from inventory.models import ChannelRequest
from inventory.services.channel_requests import (
    channel_request_decide,
    channel_request_give_up,
    channel_request_queue,
    channel_requests_requeue,
)
from inventory.services.horizon import inventory_horizon_roll


class ChannelReserveTask(ReliableTask):
    # Its outbox rows always name the request's shard queue (channel_requests._enqueue), so the
    # override below adds nothing to them: the outbox may publish them directly (core/outbox.py).
    outbox_publish_direct = True

    def apply_async(self, args=None, kwargs=None, **options):
        """Always onto the request's shard, even when a caller forgets to name the queue (the
        general "inventory.*" route would put it on the unsharded inventory queue)."""
        if not options.get("queue") and kwargs and "request_id" in kwargs:
            request = ChannelRequest.objects.select_related("room_type").get(pk=kwargs["request_id"])
            options["queue"] = channel_request_queue(request)
        return super().apply_async(args=args, kwargs=kwargs, **options)

    def on_exhausted(self, *, exc, args, kwargs):
        if isinstance(exc, Busy) and "request_id" in kwargs:
            channel_request_give_up(request_id=kwargs["request_id"], message=exc.message)


@shared_task(base=ChannelReserveTask, bind=True, name="inventory.channel_reserve", max_retries=5)
def channel_reserve(self, *, request_id: int) -> str:
    """Decide one channel request (new, modify or cancel) on its shard; retry there while inventory is busy."""
    queue = (self.request.delivery_info or {}).get("routing_key") or "eager"
    try:
        return channel_request_decide(request_id=request_id, queue=queue).status
    except Busy as exc:
        request = ChannelRequest.objects.select_related("room_type").get(pk=request_id)
        # The same explicit queue as the first try: a retry never moves to another shard.
        raise self.retry(exc=exc, queue=channel_request_queue(request),
                         countdown=random.uniform(0.5, 1.5) * 2**self.request.retries)


@shared_task(base=ReliableTask, name="inventory.channel_requests_sweep")
def channel_requests_sweep() -> int:
    """Periodic: queue again channel requests whose task was lost (e.g. broker down at commit)."""
    return channel_requests_requeue()


@shared_task(base=ReliableTask, name="inventory.horizon_roll")
def horizon_roll() -> int:
    """Daily: create the nights and rates that came within the horizon (idempotent)."""
    return inventory_horizon_roll().nights
