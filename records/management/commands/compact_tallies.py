"""`manage.py compact_tallies [--check | --recount]`: keep `records_tally`, the number of
records per category (`records.models.Tally`; PostgreSQL only, kept by triggers).

With no option, fold its rows into one per category (each statement that adds, removes or
moves records adds one), so that the gate's count of a whole category keeps reading a few
rows. The sums are unchanged. One statement: rows added meanwhile by writers not yet
committed are not seen, and stay as they are for the next run. A periodic job of the worker
(`settings.PERIODIC_JOBS`); safe beside it and to run again.

`--check` compares each category's tally with its records and fails, naming the categories,
where they differ: `restore_drill` runs it on the restored copy. `--recount` counts the
records again and writes the tally from them, holding off writers of records meanwhile (a
second or so at 2,000,000 records), and says which categories it corrected: after the
triggers were switched off by hand, say; it is audited (`records.tally.recounted`, with the
codes of the categories corrected). Neither changes a record.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from records.models import Tally

TABLE = Tally._meta.db_table

COMPACT = f"""
WITH folded AS (DELETE FROM {TABLE} RETURNING category_id, rows)
INSERT INTO {TABLE} (category_id, rows)
SELECT category_id, SUM(rows) FROM folded GROUP BY category_id HAVING SUM(rows) <> 0
"""  # noqa: S608 (the model's own table name)

# Each category whose tally and count of records differ: (code, name, tallied, counted).
DIFFERENCES = f"""
SELECT category.code, category.name, coalesce(tallied.rows, 0), coalesce(counted.rows, 0)
  FROM (SELECT category_id, CAST(SUM(rows) AS bigint) AS rows FROM {TABLE}
         GROUP BY category_id) tallied
  FULL JOIN (SELECT category_id, COUNT(*) AS rows FROM records_record
              GROUP BY category_id) counted USING (category_id)
  JOIN purposes_category category ON category.id = category_id
 WHERE coalesce(tallied.rows, 0) <> coalesce(counted.rows, 0)
 ORDER BY category.id
"""  # noqa: S608

RECOUNT = [
    # Writers of records wait until the tally is written again; readers do not.
    "LOCK TABLE records_record IN SHARE MODE",
    f"DELETE FROM {TABLE}",  # noqa: S608
    f"""INSERT INTO {TABLE} (category_id, rows)
        SELECT category_id, COUNT(*) FROM records_record GROUP BY category_id""",  # noqa: S608
]


class Command(BaseCommand):
    help = (
        "記録の件数（類型ごとの増減の行）を類型ごとに1行にまとめます（合計は変わりません）。"
        "--check で記録と照合し、--recount で記録から数え直します。"
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="記録の件数と照合する")
        action.add_argument("--recount", action="store_true", help="記録から数え直す")

    def handle(self, *args, check: bool, recount: bool, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite では件数を保持していません。")
            return
        if TABLE not in connection.introspection.table_names():
            # A copy restored from a backup older than the tally: `migrate` makes and fills it.
            self.stdout.write("記録の件数の表がありません（migrate で作成されます）。")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if check or recount:
                cursor.execute(DIFFERENCES)
                differing = cursor.fetchall()
            if recount:
                for statement in RECOUNT:
                    cursor.execute(statement)
                corrected = sorted(code for code, *_ in differing)
                append(
                    action=Action.RECORDS_TALLY_RECOUNTED,
                    actor=SYSTEM,
                    details={"categories": corrected},
                )
            elif not check:
                before = Tally.objects.count()
                cursor.execute(COMPACT)
                self.stdout.write(f"記録の件数 {before} 行を {cursor.rowcount} 行にまとめました。")
                return
        for _code, name, tallied, counted in differing:
            self.stdout.write(f"{name}: 件数 {tallied}、記録 {counted} 件")
        if check and differing:
            raise CommandError(
                f"記録の件数が {len(differing)} 類型で記録と合いません"
                "（compact_tallies --recount で数え直せます）。"
            )
        if check:
            self.stdout.write("記録の件数はすべての類型で記録と一致しています。")
        else:
            self.stdout.write(f"記録の件数を数え直しました（{len(differing)} 類型を訂正）。")
