"""Check every account's cached balance against the sum of its entries; exit 1 on a mismatch."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from rewards.selectors import ledger_mismatches


class Command(BaseCommand):
    help = "Verify that each rewards account's cached balance equals the sum of its ledger entries."

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        for m in mismatches:
            self.stderr.write(f"account {m.account_id}: cached {m.cached} != entries {m.from_entries}")
        if mismatches:
            accounts = ngettext("account", "accounts", len(mismatches))
            raise CommandError(f"{len(mismatches)} rewards {accounts} out of step with their entries")
        self.stdout.write(self.style.SUCCESS("Every rewards balance equals the sum of its entries."))
