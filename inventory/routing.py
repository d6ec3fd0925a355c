"""Hash routing of channel reservation requests: the same inventory always meets one consumer.

The routing key is ``<property>.<room type>.<first night>``. A jump consistent hash (Lamping &
Veach, 2014) of its SHA-1 maps it to one of ``INVENTORY_SHARDS`` queues
(``inventory.shard.<n>``), each consumed by exactly one single-threaded worker (see Procfile),
so requests for the same room-nights are processed one after another instead of colliding.
Adding a shard moves only ~1/n of the keys. The optimistic guard in ``reserve()`` stays the
guarantee: a multi-night stay spans several keys, and routing only cuts collisions.

The shard is computed from the request itself, never from delivery state, so a retry (which
the task sends with the same explicit queue) lands on the shard of its first try.
"""
import hashlib
from datetime import date

from django.conf import settings

SHARD_EXCHANGE = "inventory.shards"


def shard_count() -> int:
    return settings.INVENTORY_SHARDS


def shard_queue_name(shard: int) -> str:
    return f"inventory.shard.{shard}"


def routing_key(*, property_id: int, room_type_id: int, night: date) -> str:
    return f"{property_id}.{room_type_id}.{night.isoformat()}"


def jump_hash(key: int, buckets: int) -> int:
    """Jump consistent hash: a bucket in [0, buckets) for a 64-bit key."""
    bucket, jump = -1, 0
    while jump < buckets:
        bucket = jump
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        jump = int((bucket + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return bucket


def shard_for(key: str, shards: int | None = None) -> int:
    digest = int.from_bytes(hashlib.sha1(key.encode()).digest()[:8], "big")
    return jump_hash(digest, shards or shard_count())


def shard_queue(*, property_id: int, room_type_id: int, night: date) -> str:
    return shard_queue_name(shard_for(routing_key(property_id=property_id, room_type_id=room_type_id, night=night)))
