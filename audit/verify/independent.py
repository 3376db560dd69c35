"""The independent verifier: the rows in seq order, every hash and link recomputed in Python.

It trusts nothing of the server but the rows (`audit.trail.canonical_bytes` and `hashlib`),
so it is the reference and the auditors' independent check; always the verifier on SQLite.
"""

import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from ..models import GENESIS_HASH, Event
from .breaks import Report, problem, report, row_hash

# The columns the hash covers, in the order `breaks.row_hash` reads them, then the stored hash.
COLUMNS = (
    "seq",
    "at",
    "actor_kind",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "purpose",
    "details",
    "prev_hash",
    "hash",
)


def in_python(chunk_size: int) -> Report:
    """Walk every event from #1 up; `chunk_size` is the number of rows held in memory."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    for row in _rows(chunk_size):
        if broken := problem(row, expected_seq, prev_hash, intact=row_hash(row) == row[10]):
            return report(expected_seq, prev_hash, broken)
        expected_seq, prev_hash = row[0] + 1, row[10]
    return report(expected_seq, prev_hash, None)


def _rows(chunk_size: int) -> Iterator[tuple]:
    """The events in seq order as tuples of `COLUMNS`, `chunk_size` rows in memory at a time."""
    ordered = Event.objects.order_by("seq")
    if connection.vendor != "postgresql":
        yield from ordered.values_list(*COLUMNS).iterator(chunk_size=chunk_size)
        return
    # On PostgreSQL, psycopg directly, for speed: binary format, whose C loaders decode
    # times several times faster than Django's text converters; the details as text parsed
    # by the json module (psycopg's binary jsonb loader is slower); a server-side cursor
    # inside a transaction, so that it streams instead of being materialised (WITH HOLD).
    details = Cast("details", output_field=TextField())
    query = ordered.values_list(*COLUMNS[:8], details, *COLUMNS[9:])
    sql, params = query.query.sql_with_params()
    with (
        transaction.atomic(),
        connection.connection.cursor(name="audit_verify", binary=True) as cursor,
    ):
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            for row in chunk:
                yield (*row[:8], json.loads(row[8]), *row[9:])
