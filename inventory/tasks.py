"""Thin Celery wrappers around inventory services."""
import random

from celery import shared_task

from inventory.errors import Busy
from inventory.models import ChannelRequest
from inventory.services.channel_requests import channel_request_decide, channel_request_queue
from travel.task_base import ReliableTask


@shared_task(base=ReliableTask, bind=True, name="inventory.channel_reserve", max_retries=5)
def channel_reserve(self, *, request_id: int) -> str:
    """Decide one channel reservation request on its shard; retry there while inventory is busy."""
    queue = (self.request.delivery_info or {}).get("routing_key") or "eager"
    try:
        return channel_request_decide(request_id=request_id, queue=queue).status
    except Busy as exc:
        request = ChannelRequest.objects.select_related("room_type").get(pk=request_id)
        # The same explicit queue as the first try: a retry never moves to another shard.
        raise self.retry(exc=exc, queue=channel_request_queue(request),
                         countdown=random.uniform(0.5, 1.5) * 2**self.request.retries)
