"""Benchmark of the audit trail on PostgreSQL, at the scale of years of a society's trail.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/audit_bench.py --events 1000000

Creates the database `kumiai_bench` on that server, migrates it, fills it with a valid chain
of `--events` events, measures, and drops it. It measures:

(a) appends per second through `audit.trail.append` against the same inserts without the
    chain (the same row by one plain INSERT, no lock, no hash, into a copy of the filled
    table with the same columns, constraints and indexes, so that the chain never reads
    these rows), both one event per transaction (as a request does) and 100 per
    transaction, on top of the filled trail; target ratio 0.7;
(b) `verify_audit` events per second over the whole trail against a bare loop that hashes
    the same canonical bytes, built beforehand; target ratio 0.5. On PostgreSQL that is the
    fast check (`audit._scan`). For information, against the same loop: `verify_audit` as it
    runs where the extension was not built, which is also what explains a break (the
    thorough verifier, in the database), and `verify_audit --independent` (Python).

Must never run against a database that holds a real trail: it appends made-up events to it.
"""

import argparse
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from io import StringIO
from pathlib import Path
from unittest import mock

from _database import bench_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings.test")

FIELDS = (["name", "birth_date"], ["address"], ["receipt_month", "institution"], [])
PURPOSES = ("benefit_review", "health_check", "", "dependent_check")
COLUMNS = (
    "seq, at, actor_kind, actor_id, action, target_type, target_id, purpose, details, "
    "prev_hash, hash"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=10_000, help="per side and pattern")
    parser.add_argument(
        "--verify-runs",
        type=int,
        default=1,
        help="measure (b) this many times, each against its own bare loop (a loaded machine)",
    )
    args = parser.parse_args()

    with bench_database("kumiai_bench"):
        _print(_run(args))


def _run(args) -> list[tuple[str, float, float]]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _fill(args.events)
    plain_seq = itertools.count(args.events + 1)  # the plain table's own sequence
    rows = [
        ("append, 1 per transaction", *_appends(args.appends, 1, plain_seq)),
        ("append, 100 per transaction", *_appends(args.appends, 100, plain_seq)),
    ]
    total = _count()
    for run in range(1, args.verify_runs + 1):
        hashing = _bare_hashing(total)
        suffix = f" (run {run})" if args.verify_runs > 1 else ""
        for label, verify in _verifiers():
            rows.append((f"{label}, {total:,} events{suffix}", _timed(verify, total), hashing))
    return rows


def _events(count: int) -> Iterator[tuple]:
    """A valid chain of `count` varied events: the rows, hash included, in seq order."""
    from audit.models import GENESIS_HASH
    from audit.trail import canonical_bytes
    from audit.vocabulary import Action

    # What a trail mostly holds: reads, changes, moves of requests, grants of scope.
    actions = (
        Action.RECORDS_ACCESS_READ,
        Action.RECORDS_RECORD_CHANGED,
        Action.DISCLOSURE_REQUEST_MOVED,
        Action.SAFEGUARDS_SCOPE_GRANTED,
    )

    start = datetime(2025, 4, 1, tzinfo=UTC)
    prev_hash = GENESIS_HASH
    for seq in range(1, count + 1):
        fields = {
            "seq": seq,
            "at": start + timedelta(milliseconds=37 * seq),
            "actor_kind": "user",
            "actor_id": seq % 97 + 1,
            "action": actions[seq % 4].value,
            "target_type": "records.record",
            "target_id": str(seq * 7 % 1_000_003),
            "purpose": PURPOSES[seq % 4],
            "details": {"fields": FIELDS[seq % 4], "category": seq % 17 + 1},
            "prev_hash": prev_hash,
        }
        prev_hash = hashlib.sha256(canonical_bytes(**fields)).hexdigest()
        yield fields, prev_hash


def _fill(count: int) -> None:
    """COPY a chain computed here: the same rows `append` would write, a hundred times faster."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY audit_event ({COLUMNS}) FROM STDIN") as copy,
    ):
        for fields, hash_ in _events(count):
            # COLUMNS lists the fields in the order `_events` builds them.
            *head, details, prev_hash = fields.values()
            copy.write_row((*head, json.dumps(details), prev_hash, hash_))
    with connection.cursor() as cursor:
        # The plain inserts' table: the same rows, columns, constraints and indexes, no chain.
        cursor.execute("DROP TABLE IF EXISTS audit_event_plain")
        cursor.execute("CREATE TABLE audit_event_plain (LIKE audit_event INCLUDING ALL)")
        cursor.execute(
            f"INSERT INTO audit_event_plain ({COLUMNS}) SELECT {COLUMNS} FROM audit_event"
        )
        # As autovacuum leaves append-only tables: statistics, and a visibility map.
        cursor.execute("VACUUM ANALYZE audit_event, audit_event_plain")
    print(f"filled {count:,} events in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def _appends(count: int, per_transaction: int, plain_seq: Iterator[int]) -> tuple[float, float]:
    """(chained, unchained) appends per second, in alternating rounds to share any drift."""
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.trail import SYSTEM, append
    from audit.vocabulary import Action

    actor = SYSTEM
    details = {"fields": ["name", "birth_date"], "category": 3}

    def chained() -> None:
        append(
            action=Action.RECORDS_ACCESS_READ,
            actor=actor,
            target_type="records.record",
            target_id=12345,
            purpose="benefit_review",
            details=details,
        )

    def unchained() -> None:
        seq = next(plain_seq)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO audit_event_plain ({COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    seq,
                    timezone.now(),
                    actor.kind.value,
                    actor.id,
                    Action.RECORDS_ACCESS_READ.value,
                    "records.record",
                    "12345",
                    "benefit_review",
                    json.dumps(details),
                    # Random, as hashes are: the unique index on `hash` takes them alike.
                    os.urandom(32).hex(),
                    os.urandom(32).hex(),
                ],
            )

    def run(one: Callable[[], None], transactions: int) -> float:
        started = time.perf_counter()
        for _ in range(transactions):
            with transaction.atomic():
                for _ in range(per_transaction):
                    one()
        return time.perf_counter() - started

    run(unchained, 2)  # warm-up: connection, caches
    run(chained, 2)
    rounds, times = 5, {chained: 0.0, unchained: 0.0}
    transactions = max(1, count // (rounds * per_transaction))
    for _ in range(rounds):
        for one in (unchained, chained):
            times[one] += run(one, transactions)
    events = rounds * transactions * per_transaction
    return events / times[chained], events / times[unchained]


def _count() -> int:
    from audit.models import Event

    return Event.objects.count()


def _timed(work: Callable[[], None], events: int) -> float:
    started = time.perf_counter()
    work()
    return events / (time.perf_counter() - started)


def _verifiers() -> list[tuple[str, Callable[[], None]]]:
    """`verify_audit` as (label, work) pairs: the fast check, then the others."""
    from django.core.management import call_command

    from audit.verify import fast

    def verify_audit(**options) -> None:
        call_command("verify_audit", stdout=StringIO(), **options)

    def without_the_extension() -> None:
        with mock.patch.object(fast, "_scan", None):
            verify_audit()

    return [
        ("verify_audit", verify_audit),
        ("verify_audit, extension not built (thorough)", without_the_extension),
        ("verify_audit --independent", partial(verify_audit, independent=True)),
    ]


def _chunks(count: int, size: int = 100_000) -> Iterator[list[tuple[dict, str]]]:
    chunk = []
    for item in _events(count):
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bare_hashing(count: int) -> float:
    """Events per second of sha256 over the events' canonical bytes, built beforehand."""
    from audit.trail import canonical_bytes

    elapsed = 0.0
    for chunk in _chunks(count):
        encoded = [canonical_bytes(**fields) for fields, _ in chunk]
        started = time.perf_counter()
        for data in encoded:
            hashlib.sha256(data).hexdigest()
        elapsed += time.perf_counter() - started
    return count / elapsed


def _print(rows: list[tuple[str, float, float]]) -> None:
    width = max(len(label) for label, _, _ in rows)
    print(f"{'':{width}} {'measured/s':>12} {'baseline/s':>12} {'ratio':>6}")
    for label, measured, baseline in rows:
        print(f"{label:{width}} {measured:12,.0f} {baseline:12,.0f} {measured / baseline:6.2f}")


if __name__ == "__main__":
    main()
