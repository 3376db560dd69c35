"""A trigger that moves the chain head to each inserted event, on PostgreSQL and on SQLite.

`audit.trail.append` locks the head, reads it and inserts; the database then updates the head
in the same statement, saving a round trip per append. The head stays a cache: `verify`
never reads it.
"""

from django.db import migrations

POSTGRESQL_INSTALL = [
    """
    CREATE FUNCTION audit_event_advance_head() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE audit_chainhead SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_advance_head()
    """,
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER audit_event_advance_head ON audit_event",
    "DROP FUNCTION audit_event_advance_head()",
]
SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_event_advance_head AFTER INSERT ON audit_event
    BEGIN UPDATE audit_chainhead SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END
    """,
]
SQLITE_UNINSTALL = ["DROP TRIGGER audit_event_advance_head"]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no chain-head trigger for {vendor}: appends would fork the chain")
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]
    operations = [migrations.RunPython(install, uninstall)]
