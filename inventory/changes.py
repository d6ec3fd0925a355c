"""What every change of inventory leaves behind: an ``inventory.changed`` outbox event in the
same transaction, and a write-through of the hot cache after commit (ordered by version)."""
from functools import partial

from django.db import transaction

from inventory.cache import hot_cache_write
from inventory.night_writes import NightWritten
from travel.models import RoomType
from travel.outbox import outbox_publish

TOPIC = "inventory.changed"


def change_record(*, room_type: RoomType, written: list[NightWritten], source: str, **extra) -> None:
    """Publish the change and schedule the cache write. Call inside the writing transaction."""
    if not written:
        return
    outbox_publish(
        topic=TOPIC,
        key=f"{room_type.property_id}.{room_type.pk}",
        payload={
            "room_type_id": room_type.pk,
            "property_id": room_type.property_id,
            "dates": [w.date.isoformat() for w in written],
            "versions": [w.version for w in written],
            "source": source,
            **extra,
        },
    )
    entries = [(w.room_type_id, w.date, w.version, w.sellable) for w in written]
    transaction.on_commit(partial(hot_cache_write, entries))
