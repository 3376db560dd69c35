"""Verify the audit trail: check every event's hash and link, and name the first that does not fit.

Reads only. On PostgreSQL a fast check runs first; where it cannot vouch for every event,
one of two thorough verifiers answers, and both give the same answer in the same words:

- The fast check (PostgreSQL, the default there): `audit._scan`, in C, streams the events in
  two halves from one snapshot on two connections and hashes each event's stored canonical
  bytes (the column the database generates from the event's columns, migration 0007) as
  they arrive, checking seq and link too. It only says yes: at the first event that does
  not fit, or if it was not built, or if the catalog shows the generated column altered, it
  hands over to the thorough verifier, which finds the event again and explains it.
- In the database (PostgreSQL, thorough): one query recomputes every hash from the columns
  with `audit_event_canonical` and `sha256` (in parallel workers), and every link and seq
  with `lag()`, and brings back only the first event that does not fit, or the last one.
  It trusts the server's SHA-256 and its encoding of the events, as the fast check trusts
  the server's encoding and OpenSSL's SHA-256.
- In Python (`independent=True`, and always on SQLite): it walks the rows in seq order and
  recomputes everything with `audit.trail.canonical_bytes` and `hashlib`, so it trusts
  nothing of the server but the rows. It is the reference, and the auditors' independent
  check. It streams the rows in chunks, so its memory stays flat however long the trail grows.

Both thorough verifiers explain a break here, in Python. What none can see from inside the
database (a cut-off tail, a history rewritten with recomputed hashes) a signed checkpoint
catches: see `audit.checkpoint`.
"""

import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module

import psycopg
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from psycopg.conninfo import make_conninfo

from .models import GENESIS_HASH, Event
from .trail import canonical_bytes

try:
    from . import _scan
except ImportError:  # not built where it was installed (no compiler or headers)
    _scan = None

# The columns the hash covers, in the order `_hash` reads them, then the stored hash.
_COLUMNS = (
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


class Kind(StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    REORDERED = "reordered"
    INSERTED = "inserted"
    CUT_OFF = "cut-off tail"
    REWRITTEN = "rewritten history"
    FORGED = "forged checkpoint"


@dataclass(frozen=True)
class Problem:
    kind: Kind
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


@dataclass(frozen=True)
class Report:
    count: int
    head_seq: int
    head_hash: str
    problem: Problem | None


def verify_chain(*, independent: bool = False, chunk_size: int = 10_000) -> Report:
    """Recompute every event's hash and link, from #1 up; report the first that does not fit.

    `independent` verifies in Python even on PostgreSQL; `chunk_size` is the number of rows
    it holds in memory at a time.
    """
    if connection.vendor == "postgresql" and not independent:
        return _scanned() or _verify_in_database()
    expected_seq, prev_hash = 1, GENESIS_HASH
    for row in _rows(chunk_size):
        if problem := _problem(row, expected_seq, prev_hash, intact=_hash(row) == row[10]):
            return _report(expected_seq, prev_hash, problem)
        expected_seq, prev_hash = row[0] + 1, row[10]
    return _report(expected_seq, prev_hash, None)


# Two passes in one statement, so one snapshot: the last event is the one the checks saw,
# whatever is appended meanwhile.
#
# - `changed`: the first event whose recomputed hash is not its stored one. Nearly all the
#   work is here (encoding and hashing, about 1.5 us an event on one core), and no event
#   depends on another, so it runs in parallel workers (see `PARALLEL`): a parallel scan,
#   each worker keeping its own minimum. `seq + 0`, because min(seq) alone would be answered
#   by walking the seq index in order, on one core.
# - `links`: each event's seq and prev_hash against the event before it, by `lag()` over
#   the seq index. Window functions never run in a parallel worker, so this pass is serial;
#   it carries only the four narrow columns it needs, and the full row is read for the one
#   event it reports: the first that does not fit, or the last.
_FIRST_BREAK = """
    WITH changed AS MATERIALIZED (
        SELECT min(e.seq + 0) AS seq
        FROM audit_event e
        WHERE encode(sha256(convert_to(audit_event_canonical(
            e.seq, e.at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id,
            e.purpose, e.details, e.prev_hash
        ), 'UTF8')), 'hex') IS DISTINCT FROM e.hash
    )
    SELECT e.seq, e.at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id,
        e.purpose, e.details::text, e.prev_hash, e.hash,
        found.seq IS DISTINCT FROM (SELECT seq FROM changed) AS intact,
        found.expected_seq, found.expected_prev_hash
    FROM (
        SELECT id, seq, expected_seq, expected_prev_hash
        FROM (
            SELECT id, seq, prev_hash,
                lag(seq, 1, 0::bigint) OVER previous + 1 AS expected_seq,
                lag(hash, 1, %s) OVER previous AS expected_prev_hash
            FROM audit_event
            WINDOW previous AS (ORDER BY seq)
        ) links
        WHERE seq <> expected_seq OR prev_hash <> expected_prev_hash
            OR seq = (SELECT seq FROM changed)
            OR seq = (SELECT max(seq) FROM audit_event)
        ORDER BY seq
        LIMIT 1
    ) found
    JOIN audit_event e ON e.id = found.id
"""

# For this transaction only: plan the hash pass in parallel whatever the table's size (the
# default costs keep a table this narrow serial up to millions of rows), with two workers at
# least, and without JIT, whose compiling costs more than it saves here.
PARALLEL = """
    SELECT set_config('max_parallel_workers_per_gather',
            greatest(current_setting('max_parallel_workers_per_gather')::int, 2)::text, true),
        set_config('parallel_setup_cost', '0', true),
        set_config('parallel_tuple_cost', '0', true),
        set_config('min_parallel_table_scan_size', '0', true),
        set_config('jit', 'off', true)
"""


# The fast check's starting point, in one statement of a REPEATABLE READ transaction: the
# snapshot both halves import, the first and last seq in it, and what the catalog says of
# the generated column and the two functions that compute it (compared with the migrations).
_SNAPSHOT = """
    SELECT pg_export_snapshot(), coalesce(min(seq), 0), coalesce(max(seq), 0),
        (SELECT a.attgenerated::text || ' ' || pg_get_expr(d.adbin, d.adrelid)
           FROM pg_attribute a
           JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = 'audit_event'::regclass AND a.attname = 'canonical'
            AND NOT a.attisdropped),
        ARRAY(SELECT p.prosrc FROM pg_proc p
               WHERE p.proname IN ('audit_event_bytes', 'audit_event_canonical')
               ORDER BY p.proname)
    FROM audit_event
"""
_GENERATED = (
    "s audit_event_bytes(seq, at, (actor_kind)::text, actor_id, (action)::text, "
    "(target_type)::text, (target_id)::text, (purpose)::text, details, (prev_hash)::text)"
)


def _as_migrated() -> tuple[str, list[str]]:
    """The generated column and the functions' sources as the latest migrations made them."""
    sources = [
        import_module(f"audit.migrations.{name}").__dict__[sql].split("$$")[1]
        for name, sql in (
            ("0007_canonical_bytes_in_each_row", "BYTES"),
            ("0006_verify_in_parallel", "CANONICAL"),
        )
    ]
    return _GENERATED, sources


def _has_written() -> bool:
    """Whether the current transaction has written anything: PostgreSQL assigns it an id
    only then."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")
        return cursor.fetchone()[0]


def _conninfo() -> str:
    """Django's own connection parameters, less psycopg's Python objects. (Not the live
    connection's, which name options that psycopg's newer libpq knows and the system's,
    which `audit._scan` links, may not.)"""
    params = connection.get_connection_params()
    return make_conninfo(**{k: str(v) for k, v in params.items() if isinstance(v, str | int)})


def _scanned() -> Report | None:
    """The fast check's report if every event fits; None where it cannot vouch for that.

    None also inside a transaction that has written (a test's, or a request's that appended
    an event): the scans' own connections would not see what it has not committed. One
    that has only read (a request's, so far) sees nothing they do not.
    """
    if _scan is None or (connection.in_atomic_block and _has_written()):
        return None
    conninfo = _conninfo()
    try:
        with psycopg.connect(conninfo) as exporter:
            exporter.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            exporter.read_only = True
            snapshot, first, last, *catalog = exporter.execute(_SNAPSHOT).fetchone()
            if tuple(catalog) != _as_migrated() or (last and first != 1):
                return None
            middle = last // 2
            ranges = [(a, b) for a, b in ((1, middle), (middle + 1, last)) if a <= b]
            # The exporting transaction stays open until both halves have imported it.
            with ThreadPoolExecutor(max_workers=2) as threads:
                scans = list(threads.map(lambda r: _scan.scan(conninfo, snapshot, *r), ranges))
    except (psycopg.Error, RuntimeError):
        return None
    prev_hash = GENESIS_HASH
    for (first_seq, last_seq), scan in zip(ranges, scans, strict=True):
        count, first_prev, last_hash, bad = scan
        if bad is not None or count != last_seq - first_seq + 1 or first_prev != prev_hash:
            return None
        prev_hash = last_hash
    return _report(last + 1, prev_hash, None)


def _verify_in_database() -> Report:
    # The settings are undone with the savepoint, so that a caller's transaction keeps its own.
    with transaction.atomic(), connection.cursor() as cursor:
        savepoint = transaction.savepoint()
        try:
            cursor.execute(PARALLEL)
            cursor.execute(_FIRST_BREAK, [GENESIS_HASH])
            found = cursor.fetchone()
        finally:
            transaction.savepoint_rollback(savepoint)
    if found is None:
        return _report(1, GENESIS_HASH, None)
    *row, intact, expected_seq, prev_hash = found
    row = (*row[:8], json.loads(row[8]), *row[9:])
    if problem := _problem(row, expected_seq, prev_hash, intact=intact):
        return _report(expected_seq, prev_hash, problem)
    return _report(row[0] + 1, row[10], None)


def _problem(row: tuple, expected_seq: int, prev_hash: str, *, intact: bool) -> Problem | None:
    """What is wrong with `row`, where event #`expected_seq` chained to `prev_hash` belongs."""
    if row[0] != expected_seq:
        return _out_of_sequence(row[0], expected_seq)
    if row[9] != prev_hash or not intact:
        return _diagnose(row)
    return None


def _rows(chunk_size: int) -> Iterator[tuple]:
    """The events in seq order as tuples of `_COLUMNS`, `chunk_size` rows in memory at a time."""
    ordered = Event.objects.order_by("seq")
    if connection.vendor != "postgresql":
        yield from ordered.values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
        return
    # On PostgreSQL, psycopg directly, for speed: binary format, whose C loaders decode
    # times several times faster than Django's text converters; the details as text parsed
    # by the json module (psycopg's binary jsonb loader is slower); a server-side cursor
    # inside a transaction, so that it streams instead of being materialised (WITH HOLD).
    details = Cast("details", output_field=TextField())
    query = ordered.values_list(*_COLUMNS[:8], details, *_COLUMNS[9:])
    sql, params = query.query.sql_with_params()
    with (
        transaction.atomic(),
        connection.connection.cursor(name="audit_verify", binary=True) as cursor,
    ):
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            for row in chunk:
                yield (*row[:8], json.loads(row[8]), *row[9:])


def _report(next_seq: int, head_hash: str, problem: Problem | None) -> Report:
    return Report(next_seq - 1, next_seq - 1, head_hash, problem)


def _hash(row: tuple, *, seq: int | None = None) -> str:
    return hashlib.sha256(
        canonical_bytes(
            seq=row[0] if seq is None else seq,
            at=row[1],
            actor_kind=row[2],
            actor_id=row[3],
            action=row[4],
            target_type=row[5],
            target_id=row[6],
            purpose=row[7],
            details=row[8],
            prev_hash=row[9],
        )
    ).hexdigest()


def _out_of_sequence(seq: int, expected: int) -> Problem:
    if seq < expected:
        return Problem(Kind.INSERTED, seq, f"event #{seq} comes before the start of the chain (#1)")
    return Problem(
        Kind.MISSING, expected, f"{_span(expected, seq - 1)} missing: the trail jumps to #{seq}"
    )


def _span(first: int, last: int) -> str:
    return f"event #{first} is" if first == last else f"events #{first}-#{last} are"


def _diagnose(row: tuple) -> Problem:
    """Say why the event in `row` does not follow the one before it.

    Runs once, at the first break, so it may query: it looks up the event that `row` names
    as its predecessor and asks at which position the row's content would fit its hash.
    """
    seq, prev_hash, stored_hash = row[0], row[9], row[10]
    named = _seq_of(prev_hash)
    if _hash(row) == stored_hash:
        # The row is intact; the break is in its link to the row before it.
        if named is None and seq == 1:
            return Problem(Kind.CHANGED, 1, "event #1 does not start from the genesis hash")
        if named is None:
            return Problem(
                Kind.CHANGED,
                seq - 1,
                f"event #{seq} names a predecessor hash that no event has: "
                f"#{seq - 1} was rewritten with a recomputed hash, or #{seq} was forged",
            )
        if named < seq - 1:
            return Problem(
                Kind.INSERTED,
                named + 1,
                f"{_span(named + 1, seq - 1)} not in the chain: #{seq} follows #{named}",
            )
        return Problem(
            Kind.REORDERED, seq, f"event #{seq} follows #{named}, which now comes after it"
        )
    candidates = (named + 1 if named is not None else None, seq + 1, seq - 1)
    written = next(
        (c for c in candidates if c and c != seq and _hash(row, seq=c) == stored_hash), None
    )
    if written is None:
        return Problem(
            Kind.CHANGED,
            seq,
            f"event #{seq} does not match its hash: its content was altered after it was written",
        )
    if named is not None and named < seq - 1 and written == named + 1:
        return Problem(
            Kind.INSERTED,
            named + 1,
            f"{_span(named + 1, seq - 1)} not in the chain: "
            f"the event now at #{seq} was written as #{written}, right after #{named}",
        )
    if named is None and written > seq:
        return Problem(
            Kind.MISSING,
            seq,
            f"the event before #{seq} was removed and the events after it renumbered: "
            f"the event now at #{seq} was written as #{written}",
        )
    return Problem(Kind.REORDERED, seq, f"event #{seq} was moved: it was written as #{written}")


def _seq_of(hash_: str) -> int | None:
    if hash_ == GENESIS_HASH:
        return 0
    return Event.objects.filter(hash=hash_).values_list("seq", flat=True).first()
