"""Rebuild the hot availability cache from PostgreSQL and report how far it had drifted.

    manage.py inventory_cache_rebuild [--days 120] [--property ID] [--check]

Drift: nights missing from the cache, and nights whose cached version or count differs from the
database ("stale"). ``--check`` only reports. Exit status 0 either way; the figures are printed.
"""
from datetime import timedelta

from django.core.management.base import BaseCommand

from inventory.cache import hot_cache
from inventory.models import RoomNight
from inventory.stays import today_somewhere

BATCH = 2000


class Command(BaseCommand):
    help = "Rebuild the Redis hot availability cache from PostgreSQL and report drift."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=120, help="Nights from today to rebuild.")
        parser.add_argument("--property", type=int, help="Only this property's room types.")
        parser.add_argument("--check", action="store_true", help="Report drift without writing.")

    def handle(self, *args, days, property=None, check=False, **options):
        today, _latest = today_somewhere()  # a night still sellable at some hotel is rebuilt too
        nights = RoomNight.objects.filter(date__gte=today, date__lt=today + timedelta(days=days))
        if property:
            nights = nights.filter(room_type__property_id=property)
        rows = nights.order_by("room_type_id", "date").values_list(
            "room_type_id", "date", "version", "available", "stop_sell")
        backend = hot_cache()
        counts = {"checked": 0, "missing": 0, "stale": 0, "written": 0}
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            batch.append(row)
            if len(batch) == BATCH:
                self._rebuild(backend, batch, counts, check)
                batch = []
        self._rebuild(backend, batch, counts, check)
        self.stdout.write(
            f"{counts['checked']} nights checked: {counts['missing']} missing, {counts['stale']} stale, "
            f"{counts['written']} written{' (check only)' if check else ''}."
        )

    def _rebuild(self, backend, batch, counts, check):
        if not batch:
            return
        truth = {(rt, d): (version, 0 if stop else available) for rt, d, version, available, stop in batch}
        cached = backend.read(list(truth))
        counts["checked"] += len(truth)
        wrong = []
        for pair, value in truth.items():
            if pair not in cached:
                counts["missing"] += 1
                wrong.append(pair)
            elif cached[pair] != value:
                counts["stale"] += 1
                wrong.append(pair)
        if not check and wrong:
            # PostgreSQL is the truth: overwrite whatever the cache holds, even a "newer" version.
            counts["written"] += backend.write([(rt, d, *truth[(rt, d)]) for rt, d in wrong], force=True)
