"""How one night of a stay is taken: the guarded UPDATE, and the variants it was measured against.

The strategy in production is ``GUARD``: one statement

    UPDATE inventory_roomnight SET available = available - n, version = version + 1
    WHERE id = ? AND available >= n AND NOT stop_sell [AND the first night's restrictions]
    RETURNING version, available, stop_sell

The WHERE clause *is* the decision the caller made on what it read (enough rooms, on sale,
arrival allowed, length of stay allowed). Under READ COMMITTED PostgreSQL re-evaluates that
clause on the newest row version after waiting for a concurrent writer's row lock, so two
writers can never both take the last room, and a writer that only lost the race for *a* room
(not the last one) still succeeds instead of retrying. ``version`` is bumped on every change and
returned, so the caller also learns whether another writer changed the night between its read
and its write (``collided``): that is exactly what a strict compare-and-swap would have had to
retry, and the benchmark counts it.

The variants exist for the benchmark and the negative-control test, never for production:

- ``VERSION``: strict compare-and-swap, ``AND version = v`` with the version read earlier; zero
  rows with enough rooms left means "retry".
- ``FOR_UPDATE``: ``SELECT ... FOR UPDATE`` the row, decide in Python, then UPDATE it.
- ``NAIVE``: write back the count computed from what the caller read, with no guard (a lost
  update): the oversell the tests prove can happen without the guard.
"""
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils import timezone

from core.outbox import OUTBOX_INSERT

GUARD = "guard"
VERSION = "version"
FOR_UPDATE = "for_update"
NAIVE = "naive"
STRATEGIES = (GUARD, VERSION, FOR_UPDATE, NAIVE)

# Switched only by the benchmark and the negative-control test.
ACTIVE = GUARD

TABLE = "inventory_roomnight"


@dataclass(frozen=True)
class NightRead:
    """What the caller read about a night before deciding to take it."""

    pk: int
    room_type_id: int
    date: date
    version: int
    available: int


@dataclass(frozen=True)
class NightWritten:
    """A night after a change: its new version orders cache updates and channel pushes."""

    room_type_id: int
    date: date
    version: int
    available: int
    stop_sell: bool
    collided: bool = False  # another writer changed it between our read and our write

    @property
    def sellable(self) -> int:
        return 0 if self.stop_sell else self.available


class Refused(Exception):
    """The guard did not hold: the caller re-reads the night to say why (or retries)."""


def take_night(*, night: NightRead, rooms: int, stay_nights: int | None = None,
               strategy: str | None = None) -> NightWritten:
    """Take ``rooms`` rooms of one night, or raise ``Refused``. ``stay_nights`` is given for the
    first night of a stay: its arrival restrictions are part of the guard."""
    strategy = strategy or ACTIVE
    now = timezone.now()
    with connection.cursor() as cursor:
        if strategy in (GUARD, VERSION):
            where = ["id = %s", "available >= %s", "NOT stop_sell"]
            params: list = [-rooms, now, night.pk, rooms]
            if stay_nights is not None:
                where += ["NOT closed_to_arrival", "min_stay <= %s", "max_stay >= %s"]
                params += [stay_nights, stay_nights]
            if strategy == VERSION:
                where.append("version = %s")
                params.append(night.version)
            row = _update(cursor, " AND ".join(where), params)
        elif strategy == FOR_UPDATE:
            cursor.execute(
                f"SELECT available, stop_sell, closed_to_arrival, min_stay, max_stay FROM {TABLE} "
                "WHERE id = %s FOR UPDATE", [night.pk],
            )
            available, stop_sell, cta, min_stay, max_stay = cursor.fetchone()
            arrival_ok = stay_nights is None or (not cta and min_stay <= stay_nights <= max_stay)
            row = None
            if available >= rooms and not stop_sell and arrival_ok:
                row = _update(cursor, "id = %s", [-rooms, now, night.pk])
        elif strategy == NAIVE:
            # The decision rests on the count the caller read; the write trusts it (lost update).
            cursor.execute(
                f"UPDATE {TABLE} SET available = %s, version = version + 1, updated_at = %s "
                "WHERE id = %s RETURNING version, available, stop_sell",
                [night.available - rooms, now, night.pk],
            )
            row = cursor.fetchone()
        else:
            raise ValueError(f"unknown strategy {strategy!r}")
    if row is None:
        raise Refused(night.date)
    version, available, stop_sell = row
    return NightWritten(night.room_type_id, night.date, version, available, stop_sell,
                        collided=version != night.version + 1)


def give_back_night(*, pk: int, room_type_id: int, night_date: date, rooms: int) -> NightWritten:
    """Return ``rooms`` rooms to a night (a release). Never refused: the CHECK keeps the bound."""
    with connection.cursor() as cursor:
        row = _update(cursor, "id = %s", [rooms, timezone.now(), pk])
    version, available, stop_sell = row
    return NightWritten(room_type_id, night_date, version, available, stop_sell)


def _update(cursor, where: str, params: list):
    cursor.execute(
        f"UPDATE {TABLE} SET available = available + %s, version = version + 1, updated_at = %s "
        f"WHERE {where} RETURNING version, available, stop_sell",
        params,
    )
    return cursor.fetchone()


# --- the whole reservation in one statement (the hot path on PostgreSQL) -------------------------

_HOLD_AND_TAKE = f"""
WITH announced AS (
    {OUTBOX_INSERT}
), hold AS (
    INSERT INTO inventory_hold (reference, room_type_id, check_in, check_out, rooms, source, status, created_at)
    VALUES (%(reference)s, %(room_type_id)s, %(check_in)s, %(check_out)s, %(rooms)s, %(source)s, 'held', %(now)s)
    RETURNING id
), hold_nights AS (
    INSERT INTO inventory_holdnight (hold_id, room_night_id, rooms)
    SELECT hold.id, night_id, %(rooms)s FROM hold, unnest(%(night_ids)s::bigint[]) AS night_id
), locked AS (
    SELECT id FROM {TABLE} WHERE id = ANY(%(night_ids)s::bigint[]) ORDER BY date FOR UPDATE
), taken AS (
    UPDATE {TABLE} AS night
    SET available = night.available - %(rooms)s, version = night.version + 1, updated_at = %(now)s
    FROM locked
    WHERE night.id = locked.id AND night.available >= %(rooms)s AND NOT night.stop_sell
      AND (night.date <> %(check_in)s
           OR (NOT night.closed_to_arrival AND night.min_stay <= %(nights)s AND night.max_stay >= %(nights)s))
    RETURNING night.id, night.date, night.version, night.available, night.stop_sell
)
SELECT (SELECT id FROM hold), (SELECT id FROM announced), taken.id, taken.version, taken.available,
       taken.stop_sell FROM taken
"""


@dataclass(frozen=True)
class StayTaken:
    """What ``hold_and_take`` wrote: the new hold's id, its event's outbox row and every night it
    took, in date order."""

    hold_id: int
    message_id: int
    nights: list[NightWritten]


def hold_and_take(*, nights: list[NightRead], reference: str, source: str, rooms: int,
                  check_in: date, check_out: date, now, event: dict) -> StayTaken:
    """Insert the change's outbox row (``event``: ``core.outbox.outbox_event_params``), the hold
    and its hold nights and take every night with the guard, in one statement (one round trip,
    PostgreSQL only; the caller hands the outbox row to ``outbox_event_written``). The nights are locked in date order (``SELECT … ORDER BY
    date FOR UPDATE``, the order every writer uses, so stays never deadlock); each is then written
    by the same guarded UPDATE as ``take_night``, its WHERE clause re-checked by PostgreSQL on
    the newest row version. Raises ``Refused(first night not taken)``: the caller rolls the whole
    transaction back (the hold and its nights included)."""
    with connection.cursor() as cursor:
        cursor.execute(_HOLD_AND_TAKE, {
            "reference": reference, "room_type_id": nights[0].room_type_id, "check_in": check_in,
            "check_out": check_out, "rooms": rooms, "source": source, "now": now,
            "night_ids": [n.pk for n in nights], "nights": len(nights), **event,
        })
        rows = {pk: (hold_id, message_id, version, available, stop_sell)
                for hold_id, message_id, pk, version, available, stop_sell in cursor.fetchall()}
    for night in nights:
        if night.pk not in rows:
            raise Refused(night.date)
    written = []
    for night in nights:
        hold_id, message_id, version, available, stop_sell = rows[night.pk]
        written.append(NightWritten(night.room_type_id, night.date, version, available, stop_sell,
                                    collided=version != night.version + 1))
    return StayTaken(hold_id=hold_id, message_id=message_id, nights=written)
