"""On PostgreSQL the database itself refuses UPDATE and DELETE of credit ledger entries."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION payments_creditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credit ledger entries are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_creditentry_append_only BEFORE UPDATE OR DELETE ON payments_creditentry
    FOR EACH ROW EXECUTE FUNCTION payments_creditentry_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS payments_creditentry_append_only ON payments_creditentry;
DROP FUNCTION IF EXISTS payments_creditentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_credit_ledger")]
    operations = [migrations.RunPython(forward, backward)]
