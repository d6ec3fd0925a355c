"""Replay every booking's event log and report bookings whose status disagrees with it.

    python manage.py bookings_replay [--reference LT...]

Exit status 1 when any booking disagrees (so it can run in a cron or CI check).
"""
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from bookings.replay import replay_all


class Command(BaseCommand):
    help = "Replay booking events and report any booking whose state disagrees with its events."

    def add_arguments(self, parser):
        parser.add_argument("--reference", action="append", default=[], help="Only these bookings.")

    def handle(self, *args, reference, **options):
        checked, problems = replay_all(references=reference or None)
        for problem in problems:
            self.stdout.write(self.style.ERROR(f"{problem.reference}: {problem.message}"))
        self.stdout.write(f"checked {checked} {ngettext('booking', 'bookings', checked)}, {len(problems)} disagree")
        if problems:
            raise SystemExit(1)
