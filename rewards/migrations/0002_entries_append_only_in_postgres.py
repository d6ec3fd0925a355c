"""On PostgreSQL the database itself refuses UPDATE and DELETE of ledger entries."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION rewards_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'rewards ledger entries are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER rewards_entry_append_only BEFORE UPDATE OR DELETE ON rewards_entry
    FOR EACH ROW EXECUTE FUNCTION rewards_entry_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS rewards_entry_append_only ON rewards_entry;
DROP FUNCTION IF EXISTS rewards_entry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
