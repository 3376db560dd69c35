"""The fast check (PostgreSQL): `audit._scan`, in C, hashes each event's stored canonical bytes
in two halves from one snapshot. It only says yes; where it cannot vouch for every event,
the thorough verifier answers.
"""

from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from types import ModuleType

import psycopg
from django.db import connection
from psycopg.conninfo import make_conninfo

from ..models import GENESIS_HASH
from .breaks import Report, report

_scan: ModuleType | None
try:
    from .. import _scan
except ImportError:  # not built where it was installed (no compiler or headers)
    _scan = None


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
            ("0008_restorable_functions", "BYTES"),
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


def scanned() -> Report | None:
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
            row = exporter.execute(_SNAPSHOT).fetchone()
            assert row is not None  # aggregates without GROUP BY always return one row
            snapshot, first, last, *catalog = row
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
    return report(last + 1, prev_hash, None)
