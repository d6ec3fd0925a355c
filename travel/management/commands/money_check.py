"""Prove that every coin and point is accounted for; print what disagrees and exit 1 if anything does."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from travel.money_check import money_disagreements


class Command(BaseCommand):
    help = ("Check every booking, invoice, refund, points balance and credit balance in each coin's own "
            "decimals: amount paid = price in coin - points - credit + excess, refunds + credits <= received, "
            "every balance = the sum of its ledger entries, no float column. Exit 1 when anything disagrees.")

    def handle(self, *args, **options):
        disagreements = money_disagreements()
        for d in disagreements:
            self.stderr.write(str(d))
        if disagreements:
            found = ngettext("disagreement", "disagreements", len(disagreements))
            raise CommandError(f"{len(disagreements)} {found}: not every coin and point is accounted for")
        self.stdout.write(self.style.SUCCESS("Every coin and point is accounted for."))
