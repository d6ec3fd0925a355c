"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger entries."""
from django.db import migrations

from core.append_only_trigger import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]
    operations = [append_only_trigger("rewards_entry", "rewards ledger entries")]
