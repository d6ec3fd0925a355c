"""The database's own refusal of UPDATE and DELETE on an append-only table (PostgreSQL only), for
a migration: ``operations = [append_only_trigger("rewards_entry", "rewards ledger entries")]``.

``core.models.AppendOnlyModel`` refuses them in Django; this trigger also refuses them from a
raw statement or another client. Other databases get nothing (the embedded SQLite mode).
"""
from django.db import migrations


def append_only_trigger(table: str, what: str) -> migrations.RunPython:
    name = f"{table}_append_only"
    forward_sql = f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{what} are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {name}();
"""
    backward_sql = f"""
DROP TRIGGER IF EXISTS {name} ON {table};
DROP FUNCTION IF EXISTS {name}();
"""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(forward_sql)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(backward_sql)

    return migrations.RunPython(forward, backward)
