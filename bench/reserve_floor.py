"""The floor of ``inventory_reserve()``: the same rows written by hand through psycopg.

``PsycopgReserve.reserve`` does for a one-night stay what reserve() does, with no ORM and no
Django: in one transaction read the night (setting the lock timeout), insert the hold, its hold
night and the ``inventory.changed`` outbox row, then take the night with the guarded UPDATE; after
commit claim the outbox row and mark it handed over (as ``core.outbox`` does) and write the hot
cache through the same Lua script. bench/inventory_reserve.py measures reserve()'s throughput
beside it, and bench/cpu_profile.py its CPU per operation (path ``reserve_floor``).
"""
import os
import time
from datetime import timedelta

from django.utils import timezone

from catalogue.models import RoomType


def _connection_arguments() -> dict:
    """Where Django's default connection goes (the test database in tests), and nothing of how
    Django talks to it: psycopg's own cursor, binding parameters on the server."""
    from django.db import connection

    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key in ("dbname", "user", "password", "host", "port")}


class PsycopgReserve:
    """A hand-written psycopg version of reserve()'s work for a one-night stay, the same rows written:
    in one transaction read the night (setting the lock timeout), insert the hold, its hold night
    and the ``inventory.changed`` outbox row, then take the night with the guarded UPDATE; after
    commit claim the outbox row and mark it handed over (as core.outbox does) and write the hot cache through the same Lua script.
    No ORM, no Django: the floor reserve() is measured against."""

    def __init__(self):
        import psycopg
        from django.conf import settings
        from django_redis import get_redis_connection

        from inventory.cache import _SET_IF_NEWER

        self.conn = psycopg.connect(**_connection_arguments())
        self.redis = get_redis_connection("default") if settings.REDIS_URL else None
        self.script = self.redis.register_script(_SET_IF_NEWER) if self.redis else None
        self.count = 0

    def reserve(self, *, room_type: RoomType, night_date) -> None:
        from psycopg.types.json import Jsonb

        from inventory.cache import TTL_SECONDS, redis_key

        self.count += 1
        reference = f"psycopg-{os.getpid()}-{self.count}-{time.time_ns()}"
        now = timezone.now()
        with self.conn.transaction():
            row = self.conn.execute(
                "SELECT id, available, stop_sell, closed_to_arrival, min_stay, max_stay, "
                "set_config('lock_timeout', '500ms', true) FROM inventory_roomnight "
                "WHERE room_type_id = %s AND date IN (%s, %s) ORDER BY date",
                [room_type.pk, night_date, night_date + timedelta(days=1)]).fetchone()
            night_id, available, stop_sell, cta, min_stay, max_stay, _ = row
            if available < 1 or stop_sell or cta or not min_stay <= 1 <= max_stay:
                raise RuntimeError("sold out")
            hold_id = self.conn.execute(
                "INSERT INTO inventory_hold (reference, room_type_id, check_in, check_out, rooms, source, status, "
                "created_at) VALUES (%s, %s, %s, %s, 1, 'bench', 'held', %s) RETURNING id",
                [reference, room_type.pk, night_date, night_date + timedelta(days=1), now]).fetchone()[0]
            self.conn.execute("INSERT INTO inventory_holdnight (hold_id, room_night_id, rooms) VALUES (%s, %s, 1)",
                              [hold_id, night_id])
            message_id = self.conn.execute(
                "INSERT INTO travel_outboxmessage (topic, key, payload, created_at, attempts, last_error) "
                "VALUES ('inventory.changed', %s, %s, %s, 0, '') RETURNING id",
                [f"{room_type.property_id}.{room_type.pk}",
                 Jsonb({"room_type_id": room_type.pk, "property_id": room_type.property_id,
                        "dates": [night_date.isoformat()], "source": "bench", "reference": reference}), now],
            ).fetchone()[0]
            taken = self.conn.execute(
                "UPDATE inventory_roomnight SET available = available - 1, version = version + 1, updated_at = %s "
                "WHERE id = %s AND available >= 1 AND NOT stop_sell AND NOT closed_to_arrival "
                "AND min_stay <= 1 AND max_stay >= 1 RETURNING version, available, stop_sell",
                [now, night_id]).fetchone()
            if taken is None:
                raise RuntimeError("sold out")
        with self.conn.transaction():  # the outbox hand-over: claim the row, mark it handed over
            claimed = self.conn.execute("SELECT id FROM travel_outboxmessage WHERE id = %s AND published_at IS NULL "
                                        "FOR UPDATE SKIP LOCKED", [message_id]).fetchone()
            if claimed:
                self.conn.execute("UPDATE travel_outboxmessage SET published_at = now(), attempts = attempts + 1 "
                                  "WHERE id = %s", [message_id])
        if self.script:
            version, available, stop_sell = taken
            self.script(keys=[redis_key(room_type.pk, night_date)],
                        args=[TTL_SECONDS, version, 0 if stop_sell else available])
