"""What every change of inventory leaves behind: an ``inventory.changed`` outbox event in the
same transaction, and a write-through of the hot cache after commit (ordered by version).

Reserve and release announce the change *before* their night UPDATEs (``change_announce``), so
that a night's row lock is held only from its UPDATE to the commit: on a hot night that lock is
the bottleneck. Their event therefore names the nights without versions (a consumer acting on it
reads the current state, version included); staff edits, which are not hot, include ``versions``.
The cache is always written with the versions the UPDATEs returned (``cache_after_commit``).
"""
from django.db import transaction

from catalogue.models import RoomType
from core.outbox import outbox_publish
from inventory.cache import hot_cache_write
from inventory.night_writes import NightWritten

TOPIC = "inventory.changed"


def change_announce(*, room_type: RoomType, dates: list, source: str, versions: list[int] | None = None,
                    **extra) -> None:
    """Publish ``inventory.changed`` for these nights. Call inside the writing transaction."""
    outbox_publish(**change_event(room_type=room_type, dates=dates, source=source, versions=versions, **extra))


def change_event(*, room_type: RoomType, dates: list, source: str, versions: list[int] | None = None,
                 **extra) -> dict:
    """The ``inventory.changed`` event for these nights: topic, key and payload (``change_announce``
    publishes it; reserve's one statement writes it itself, ``night_writes.hold_and_take``)."""
    payload = {
        "room_type_id": room_type.pk,
        "property_id": room_type.property_id,
        "dates": [d.isoformat() for d in dates],
        "source": source,
        **extra,
    }
    if versions is not None:
        payload["versions"] = versions
    return {"topic": TOPIC, "key": f"{room_type.property_id}.{room_type.pk}", "payload": payload}


def cache_after_commit(written: list[NightWritten]) -> None:
    """Write the changed nights through to the hot cache once (and only if) the transaction commits."""
    entries = [(w.room_type_id, w.date, w.version, w.sellable) for w in written]
    if entries:
        # Not queued work but a direct write (the hot path): ``hot_cache_write`` never raises, and
        # robust=True makes sure nothing after COMMIT reaches the caller even if it did.
        transaction.on_commit(lambda: hot_cache_write(entries), robust=True)


def change_record(*, room_type: RoomType, written: list[NightWritten], source: str, **extra) -> None:
    """Announce a change whose versions are known, and schedule its cache write."""
    if not written:
        return
    change_announce(room_type=room_type, dates=[w.date for w in written], source=source,
                    versions=[w.version for w in written], **extra)
    cache_after_commit(written)
