"""Writing a plan, in the import's one transaction: bulk_create for new rows, and for changed
ones a temporary table and one UPDATE."""

from django.db import connection
from django.utils import timezone

from ..models import Member, Record
from ..sealing import seal_records
from .planning import Plan, chunks

BATCH_SIZE = 2000


def write(plan: Plan) -> None:
    """Create the new rows and update the changed ones, as `plan` says."""
    rounds = [plan.create]
    if plan.model is Member:
        # Insured persons first: bulk_create gives them the ids their dependents need.
        rounds = [
            [member for member in plan.create if member.insured is None],
            [member for member in plan.create if member.insured is not None],
        ]
    names = plan.fields
    if plan.model is Record:
        # bulk_create and the UPDATE bypass `Record.save`: sealed here, as it would.
        seal_records([*plan.create, *plan.update])
        names = (*names, "sealed")
    for objs in rounds:
        plan.model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    fields = [plan.model._meta.get_field(name) for name in names]
    auto_now = [f for f in plan.model._meta.concrete_fields if getattr(f, "auto_now", False)]
    now = timezone.now()  # what save() would set, once for the whole import
    for obj in plan.update:
        for field_ in auto_now:
            setattr(obj, field_.attname, now)
    update_rows(plan.model, plan.update, (*fields, *auto_now))


def update_rows(model, objs: list, fields: tuple) -> None:
    """Write `fields` of the stored `objs`, matched by primary key: into a temporary table
    with the columns' own types, in batches, then one UPDATE ... FROM it.

    Django's bulk_update sets each field to a CASE with a WHEN for every row of its batch,
    which Django builds and resolves one expression at a time: writing 90,000 changed
    members took it 480-570 s, against 4 s to create 100,000 (bench/import_bench.py). An
    UPDATE from a VALUES list of each batch took 15 s, most of it binding and parsing the
    values; this takes 5 s. Its column types come from the table itself, so no value needs
    a cast, and the same statements run on PostgreSQL and SQLite (3.33 or later). The table
    is dropped before the import commits; if it rolls back, the table goes with it.
    """
    if not objs:
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = (pk, *fields)
    relations = [f for f in fields if f.is_relation]
    table, rows = quote(model._meta.db_table), quote(f"{model._meta.db_table}_import")
    names = ", ".join(quote(f.column) for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = {rows}.{quote(f.column)}" for f in fields)
    placeholders = ", ".join(["%s"] * len(columns))
    # Names come from the model's fields; values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {rows} AS SELECT {names} FROM {table} WHERE 1 = 0"  # noqa: S608
        )
        for batch in chunks(objs, BATCH_SIZE):
            for obj in batch:
                # As bulk_update: a related row created by this import got its id after it
                # was assigned (a dependent's new insured person); an unsaved one is refused.
                obj._prepare_related_fields_for_save(operation_name="import", fields=relations)
            cursor.executemany(
                f"INSERT INTO {rows} ({names}) VALUES ({placeholders})",  # noqa: S608
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
                    for obj in batch
                ],
            )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {rows} "  # noqa: S608
            f"WHERE {table}.{quote(pk.column)} = {rows}.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {rows}")
