"""`records_tally`: the number of records per category, kept by triggers (PostgreSQL only).

A trigger per statement adds a row with the change per category: an INSERT (COPY included)
its new rows, a DELETE its removed ones, each from the statement's transition table. A move
to another category is rare, so the UPDATE trigger is one per row, with a column list and a
WHEN that keeps it from firing on every other update (the sealing's and the import's batches
of thousands of rows; PostgreSQL allows a transition table with neither, and would keep every
updated row twice for it). A TRUNCATE empties the tally with the table. The rows are
written in the statement's own transaction: a rolled-back insert leaves no count behind, and
a count read in a snapshot sees the tally of the same snapshot.

The functions pin their search path (`audit.tests.test_search_path`). `pg_dump` creates the
triggers after it has loaded the data, so a restore does not count its rows twice.

SQLite (development, the demo) has the table and no triggers: there the gate counts the
rows themselves.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION records_tally_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM records_tally;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO records_tally (category_id, rows)
        SELECT category_id, count(*) FROM added GROUP BY category_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO records_tally (category_id, rows)
        SELECT category_id, -count(*) FROM removed GROUP BY category_id;
    ELSE
        INSERT INTO records_tally (category_id, rows)
        VALUES (OLD.category_id, -1), (NEW.category_id, 1);
    END IF;
    RETURN NULL;
END
$$
"""

INSTALL = [
    FUNCTION,
    """CREATE TRIGGER records_tally_insert AFTER INSERT ON records_record
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION records_tally_change()""",
    """CREATE TRIGGER records_tally_delete AFTER DELETE ON records_record
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION records_tally_change()""",
    """CREATE TRIGGER records_tally_move AFTER UPDATE OF category_id ON records_record
    FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION records_tally_change()""",
    """CREATE TRIGGER records_tally_truncate AFTER TRUNCATE ON records_record
    FOR EACH STATEMENT EXECUTE FUNCTION records_tally_change()""",
    # The records already held, counted once.
    """INSERT INTO records_tally (category_id, rows)
    SELECT category_id, count(*) FROM records_record GROUP BY category_id""",
]

UNINSTALL = [
    *(
        f"DROP TRIGGER records_tally_{event} ON records_record"
        for event in ("insert", "delete", "move", "truncate")
    ),
    "DROP FUNCTION records_tally_change()",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in INSTALL:
            schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in UNINSTALL:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("purposes", "0008_revision_keeps_the_page"),
        ("records", "0017_pending_key_operation"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rows", models.BigIntegerField(verbose_name="件数の増減")),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="purposes.category",
                        verbose_name="類型",
                    ),
                ),
            ],
            options={
                "verbose_name": "記録の件数",
                "verbose_name_plural": "記録の件数",
                "default_permissions": (),
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
