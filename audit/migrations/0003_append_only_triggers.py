"""Database triggers that make `audit_event` append-only, on PostgreSQL and on SQLite.

UPDATE and DELETE are refused row by row. TRUNCATE (PostgreSQL) is refused unless the table
is empty: emptying an empty table loses nothing, and it lets a test database be flushed once
its trail has been wiped (see `audit.tests.fixtures`). SQLite has no TRUNCATE; its flush is a
DELETE, which fires no row trigger on an empty table.

SQLite drops a table's triggers with the table: a later migration that makes Django rebuild
`audit_event` on SQLite must install them again (the trigger tests would fail until it does).
"""

from django.db import migrations

POSTGRESQL_INSTALL = [
    """
    CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            IF EXISTS (SELECT 1 FROM audit_event) THEN
                RAISE EXCEPTION 'audit_event is append-only: TRUNCATE refused' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()
    """,
    """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()
    """,
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER audit_event_no_truncate ON audit_event",
    "DROP TRIGGER audit_event_no_update_delete ON audit_event",
    "DROP FUNCTION audit_event_refuse_change()",
]

# RAISE(ABORT) reports a constraint failure: Django raises IntegrityError, as on PostgreSQL.
SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END
    """,
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER audit_event_no_delete",
    "DROP TRIGGER audit_event_no_update",
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no append-only triggers for {vendor}: the trail would be unprotected")
    for sql in statements[vendor]:
        # No parameters: PL/pgSQL's own `%` placeholder must reach the server as written.
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL})


def uninstall(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_row")]
    operations = [migrations.RunPython(install, uninstall)]
