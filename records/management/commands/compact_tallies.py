"""`manage.py compact_tallies`: fold the rows of `records_tally` into one per category (each
statement that adds, removes or moves records adds one; `records.models.Tally`), so that the
gate's count of a whole category keeps reading a few rows. The sums are unchanged. One
statement: rows added meanwhile by writers not yet committed are not seen, and stay as they
are for the next run. A periodic job of the worker (`settings.PERIODIC_JOBS`); safe beside
it and to run again. PostgreSQL only: on SQLite the tally is not kept.
"""

from django.core.management.base import BaseCommand
from django.db import connection

from records.models import Tally

COMPACT = """
WITH folded AS (DELETE FROM {table} RETURNING category_id, rows)
INSERT INTO {table} (category_id, rows)
SELECT category_id, SUM(rows) FROM folded GROUP BY category_id HAVING SUM(rows) <> 0
"""


class Command(BaseCommand):
    help = "記録の件数（類型ごとの増減の行）を類型ごとに1行にまとめます（合計は変わりません）。"

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite では件数を保持していません。")
            return
        before = Tally.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(COMPACT.format(table=Tally._meta.db_table))
            after = cursor.rowcount
        self.stdout.write(f"記録の件数 {before} 行を {after} 行にまとめました。")
