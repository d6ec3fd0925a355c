"""On PostgreSQL the database itself refuses UPDATE and DELETE of credit ledger entries."""
from django.db import migrations

from core.append_only_trigger import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_credit_ledger")]
    operations = [append_only_trigger("payments_creditentry", "credit ledger entries")]
