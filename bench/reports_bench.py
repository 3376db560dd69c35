"""Benchmark of the auditors' report pages on PostgreSQL, at a society's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/reports_bench.py --reuse

Creates the database `kumiai_reports_bench` on that server, migrates it, fills it with
`manage.py generate_members` (100,000 members, 2,000,000 records) and `--events` audit
events (5,000,000) over the last year by COPY, then times each report page through Django's
test client, in this process, as the 監事 signed in with two factors: `--runs` times after a
warm-up, median and slowest, target under a second. `--reuse` keeps the database and uses it
again next time; without it the database is dropped.

The events have the shape the gate writes (`access.read` with surface, member ids, category
codes and row count; `access.refused` with a reason; statutory reads) but are not chained:
verifying is benchmarked in bench/audit_bench.py, not here. Never point it at a real trail.

The reports' daily summaries are brought up to a day ago (`summarise_access`, timed), so
the pages add the last day's events from the trail to them; folding in that day is timed
at the end and rolled back.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from _database import bench_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings.test")

DATABASE = "kumiai_reports_bench"
HANDLERS = 80
SURFACES = ("admin", "admin", "admin", "api", "export", "disclosure")
REFUSALS = ("out_of_scope", "purpose_not_permitted", "standing_lapsed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=5, help="per page")
    parser.add_argument("--reuse", action="store_true", help=f"keep {DATABASE} for next time")
    args = parser.parse_args()

    with bench_database(DATABASE, reuse=args.reuse):
        _print(_run(args))


def _run(args) -> list[tuple[str, float, float]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("generate_members", members=args.members, records=args.records, verbosity=0)
    handlers = _handlers()
    _fill_trail(args.events, handlers)
    print(f"data ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    _summarise()

    from audit.models import Event
    from audit.vocabulary import Action

    client = _auditor()
    today = datetime.date.today()
    month = f"start={today.replace(day=1)}&end={today}"
    busy = (
        Event.objects.filter(action=Action.RECORDS_ACCESS_READ).values_list("actor_id", "at").last()
    )
    day = busy[1].astimezone(datetime.UTC).date()
    pages = [
        ("overview, fiscal year", "/reports/"),
        ("access review, fiscal year", "/reports/access/"),
        ("access review, this month", f"/reports/access/?{month}"),
        ("access review CSV, fiscal year", "/reports/access/?format=csv"),
        ("audit trail, fiscal year", "/reports/trail/"),
        ("scope register, fiscal year", "/reports/scopes/"),
        (
            "events of one handler on one day",
            f"/reports/events/?action={Action.RECORDS_ACCESS_READ.value}&actor={busy[0]}&day={day}",
        ),
        ("events of one category, fiscal year", "/reports/events/?category=receipts"),
    ]
    timed = [(label, *_timed(client, url, args.runs)) for label, url in pages]
    _catch_up()
    return timed


def _summarise() -> None:
    """Summarise the trail up to a day ago, so that the pages add a day of live events (about
    14,000 of them) to the summaries, as they would between two runs of a nightly cron."""
    from audit.models import Event
    from reports.summary import summarise

    day_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    # Newest first by seq: the bench's events are in time order, so this stops after a day.
    through = Event.objects.filter(at__lt=day_ago).order_by("-seq").values_list("seq")[:1]
    started = time.perf_counter()
    folded = summarise(through=through[0][0] if through else 0)
    print(
        f"summarise_access ({'rebuilt' if folded.rebuilt else 'folded'}) {folded.events} events"
        f" in {time.perf_counter() - started:.1f}s; through seq {folded.through_seq}",
        file=sys.stderr,
    )


def _catch_up() -> None:
    """Time folding in the last day's events, then roll it back (the next run has its tail)."""
    from django.db import transaction

    from reports.summary import summarise

    with transaction.atomic():
        started = time.perf_counter()
        folded = summarise()
        took = time.perf_counter() - started
        transaction.set_rollback(True)
    print(f"catch-up of {folded.events} events in {took:.2f}s (rolled back)", file=sys.stderr)


def _handlers() -> list[int]:
    """Handlers to read in the trail: staff users (names only; no scope needed here)."""
    from django.contrib.auth.models import User

    for n in range(HANDLERS):
        User.objects.get_or_create(
            username=f"bench-handler-{n}",
            defaults={"is_staff": True, "last_name": "担当", "first_name": f"{n}"},
        )
    return list(
        User.objects.filter(username__startswith="bench-handler-").values_list("pk", flat=True)
    )


def _fill_trail(events: int, handlers: list[int]) -> None:
    """COPY `events` events spread over the last year, unless the trail holds that many."""
    from django.db import connection

    from audit.models import Event
    from purposes.models import Category, Purpose

    have = Event.objects.count()
    if have >= events:
        return
    rng = random.Random(2026)
    purposes = list(Purpose.objects.values_list("code", flat=True))
    categories = list(Category.objects.values_list("code", flat=True))
    end = datetime.datetime.now(datetime.UTC)
    start, span = end - datetime.timedelta(days=365), 365 * 86400
    step = span / events
    columns = (
        "seq, at, actor_kind, actor_id, action, target_type, target_id, purpose, details, "
        "prev_hash, hash"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_event")
        first = cursor.fetchone()[0] + 1
        with cursor.cursor.copy(f"COPY audit_event ({columns}) FROM STDIN") as copy:
            for n in range(first, first + events - have):
                at = start + datetime.timedelta(seconds=n * step + rng.random() * step)
                copy.write_row(_event(n, at, rng, handlers, purposes, categories))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_event")


def _event(seq, at, rng, handlers, purposes, categories) -> tuple:
    from audit.vocabulary import Action

    actor, roll = rng.choice(handlers), rng.random()
    if roll < 0.85:
        rows = rng.randint(1, 40) if rng.random() > 0.001 else rng.randint(1_500, 5_000)
        details = {
            "surface": rng.choice(SURFACES),
            "members": sorted(rng.sample(range(1, 100_000), min(rows, 20))),
            "categories": rng.sample(categories, rng.choice((1, 1, 1, 2))),
            "rows": rows,
        }
        purpose = rng.choice(purposes)
        if rng.random() < 0.0005:
            details |= {"statutory": True, "ground": "law"}
            purpose = ""
        action, target = Action.RECORDS_ACCESS_READ.value, ("", "")
    elif roll < 0.88:
        action, purpose, target = (
            Action.RECORDS_ACCESS_REFUSED.value,
            rng.choice(purposes),
            ("", ""),
        )
        details = {"surface": "admin", "reason": rng.choice(REFUSALS)}
    else:
        others = (
            Action.RECORDS_RECORD_CHANGED,
            Action.DISCLOSURE_REQUEST_MOVED,
            Action.COMPLAINTS_COMPLAINT_MOVED,
        )
        action, purpose = rng.choice(others).value, ""
        target, details = ("records.record", str(rng.randint(1, 2_000_000))), {"fields": []}
    return (
        seq,
        at,
        "user",
        actor,
        action,
        *target,
        purpose,
        json.dumps(details),
        f"{seq - 1:064x}",
        f"{seq:064x}",
    )


def _auditor():
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from safeguards.roles import Role
    from safeguards.testing import sign_in_verified

    user, _created = User.objects.get_or_create(username="bench-auditor", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.AUDITOR))
    client = Client()
    sign_in_verified(client, user)
    return client


def _timed(client, url: str, runs: int) -> tuple[float, float]:
    response = client.get(url)  # warm-up, and a check
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def _print(rows: list[tuple[str, float, float]]) -> None:
    print(f"{'page':40} {'median ms':>10} {'max ms':>10}")
    for label, median, slowest in rows:
        print(f"{label:40} {median * 1000:10.0f} {slowest * 1000:10.0f}")


if __name__ == "__main__":
    main()
