"""Benchmark of the gate on PostgreSQL, at a society's scale (DESIGN, "Scale").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/gate_bench.py --reuse

Creates the database `kumiai_gate_bench` on that server, migrates it, fills it with
`manage.py generate_members` (100,000 members, 2,000,000 records) and a thousand 利用停止,
times the pages below, and drops it; `--reuse` keeps it and uses it again next time.

Each page is requested through Django's test client, in this process, as a handler signed
in with two factors and a purpose chosen, its connections closed or checked around each
request as Django's WSGI handler does (the settings' CONN_MAX_AGE decides which): once
through the gate (the project's admin and API) and once as a baseline that has no gate, no
permission check, no logging and no sealing (a plain ModelAdmin on a bench-only AdminSite,
a plain ListAPIView, on a bench-only urlconf) showing the same rows with the same template,
pagination and serializer. The records are generated in clear, copied as they are into
`bench_plain_record` (indexes included), then sealed (`seal_records`): the gated pages open
the 要配慮 categories' rows with their members' data keys, the baseline reads the same rows
from the copy in clear. The two alternate, `--runs` times each after a warm-up of `WARM_UP`
requests each; the table gives median and p95 of each and the ratio of the medians (target
1.5 or lower).
`--explain` prints EXPLAIN ANALYZE of the gated queries.
"""

import argparse
import datetime
import functools
import operator
import os
import random
import statistics
import sys
import time
import types
from pathlib import Path

from _database import bench_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings.test")

DATABASE = "kumiai_gate_bench"
URLCONF = "gate_bench_urls"
RESTRICTIONS = 1_000
# Requests of each side not timed before a page's runs: the first few of a page after another
# page's find its rows and indexes out of PostgreSQL's buffers (both sides about 10 ms slower
# on the smaller API pages, for some ten requests), and with three of them a third of the
# runs still measured that.
WARM_UP = 10
MEMBER_GRANTS = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=30, help="per page and side")
    parser.add_argument("--database", default=DATABASE, help=f"its name (default {DATABASE})")
    parser.add_argument("--reuse", action="store_true", help="keep the database for next time")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE gated queries")
    args = parser.parse_args()

    with bench_database(args.database, reuse=args.reuse):
        _print(_run(args))


def _run(args) -> list[tuple]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The test client's host (the settings' mail is locmem already). Not
    # `setup_test_environment()`: it instruments every template's rendering for the test
    # client's `response.context` (a signal and a copy of the context per template, some
    # 2,800 on an admin changelist of 100 rows), which production does not pay.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("migrate", database="keys", verbosity=0)  # the key store, `<name>_keys`
    call_command(
        "generate_members",
        members=args.members,
        records=args.records,
        in_clear=True,
        verbosity=0,
    )
    _copy_in_clear()
    sealing = time.perf_counter()
    call_command("seal_records", verbosity=0)
    print(f"sealed in {time.perf_counter() - sealing:.1f}s", file=sys.stderr)
    people = _people()
    _vacuum()
    print(f"data ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    settings.ROOT_URLCONF = URLCONF
    sys.modules[URLCONF] = _urlconf(people)
    rows = []
    for person in people:
        client = _signed_in(person)
        for surface, gated, plain in (
            (
                "admin changelist",
                "/admin/records/record/",
                f"/bench/{person.key}/admin/records/plainrecord/",
            ),
            (
                "API list",
                f"/api/v1/records/?purpose={person.purpose}",
                f"/bench/{person.key}/api/?purpose={person.purpose}",
            ),
        ):
            if args.explain:
                _explain(client, gated)
            rows.append((f"{surface}, {person.label}", *_timed(client, gated, plain, args.runs)))
    return rows


class _Person:
    """A bench handler: a scope, the purpose they read for, the baseline's equivalent rows."""

    def __init__(self, key, label, purpose, *, category=None, members=()):
        self.key, self.label, self.purpose = key, label, purpose
        self.category, self.members = category, list(members)

    def plain_rows(self):
        """The rows the gate shows this person, by a bare filter: scope and purpose only."""
        from django.db.models import Q

        from purposes import register

        permitted = register.permitted_category_ids(purpose=self.purpose, on=datetime.date.today())
        rows = []
        if self.category is not None:
            rows.append(Q(category_id=self.category.pk))
        if self.members:
            rows.append(Q(member_id__in=[m.pk for m in self.members], category_id__in=permitted))
        return functools.reduce(operator.or_, rows)


def _people() -> list[_Person]:
    """The four handlers, with pledge, training and scope; a thousand 利用停止 (once)."""
    from django.contrib.auth.models import Group, User

    from purposes.models import Category
    from records.models import Member
    from safeguards.roles import Role
    from safeguards.scopes import grant_scope

    officer, created = User.objects.get_or_create(
        username="bench_officer", defaults={"is_staff": True, "is_superuser": True}
    )
    rng = random.Random(2026)
    member_ids = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    categories = {c.code: c for c in Category.objects.all()}
    people = [
        _Person(
            "kenshin",
            "健康診査 handler",
            "checkup-reminder",
            category=categories["health-checks"],
        ),
        _Person(
            "receipt",
            "レセプト handler",
            "benefit-review-and-payment",
            category=categories["receipts"],
        ),
        _Person(
            "members",
            f"handler of {MEMBER_GRANTS} members",
            "benefit-review-and-payment",
            members=Member.objects.filter(pk__in=rng.sample(member_ids, MEMBER_GRANTS)),
        ),
        # Both kinds of grant: 現金給付 as a category, and the receipts (the purpose's other
        # category) of 50 members; the gate must not scan every receipt for them.
        _Person(
            "mixed",
            f"現金給付 + {MEMBER_GRANTS} members handler",
            "benefit-review-and-payment",
            category=categories["cash-benefits"],
            members=Member.objects.filter(
                pk__in=random.Random(2027).sample(member_ids, MEMBER_GRANTS)
            ),
        ),
    ]
    for person in people:
        user, new = User.objects.get_or_create(
            username=f"bench_{person.key}", defaults={"is_staff": True}
        )
        person.user = user
        if not new:
            continue
        user.groups.add(Group.objects.get(name=Role.HANDLER))
        _in_good_standing(user)
        if person.category is not None:
            if person.category.includes_my_number:  # 現金給付: designated handlers only
                user.groups.add(Group.objects.get(name=Role.MY_NUMBER_HANDLER))
            grant_scope(user=user, category=person.category, by=officer)
        for member in person.members:
            grant_scope(user=user, member=member, by=officer)
    if created:
        _restrict(rng, member_ids, list(categories.values()), officer)
    return people


def _in_good_standing(user) -> None:
    from django.utils import timezone

    from safeguards.models import TrainingCourse, TrainingSession
    from safeguards.training import record_attendance, sign_pledge

    today = timezone.localdate()
    sign_pledge(user=user, version="bench", signed_on=today, by=user)
    course, _ = TrainingCourse.objects.get_or_create(title="個人情報保護研修")
    session, _ = TrainingSession.objects.get_or_create(course=course, held_on=today)
    record_attendance(session=session, user=user, score=100, by=user)


def _restrict(rng, member_ids, categories, officer) -> None:
    """1,000 利用停止 in force, a third for one category, a third for one purpose."""
    from purposes.models import Purpose
    from records.models import Member, Restriction
    from records.services import restriction_add

    purposes = list(Purpose.objects.all())
    chosen = Member.objects.in_bulk(rng.sample(member_ids, RESTRICTIONS))
    for i, member in enumerate(chosen.values()):
        restriction_add(
            member=member,
            kind=Restriction.Kind.SUSPEND_USE,
            since=datetime.date(2025, 4, 1),
            category=rng.choice(categories) if i % 3 == 1 else None,
            purpose=rng.choice(purposes) if i % 3 == 2 else None,
            by=officer,
        )


PLAIN_TABLE = "bench_plain_record"


def _copy_in_clear() -> None:
    """The records as they were before sealing, indexes and all, for the baseline: the plain
    pages read the same rows from this copy, in clear, where the gate opens sealed ones."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT to_regclass('{PLAIN_TABLE}') IS NOT NULL")
        if not cursor.fetchone()[0]:
            cursor.execute(f"CREATE TABLE {PLAIN_TABLE} (LIKE records_record INCLUDING ALL)")
            cursor.execute(f"INSERT INTO {PLAIN_TABLE} SELECT * FROM records_record")
        # A copy kept from an earlier run (`--reuse`) gains the indexes added since.
        cursor.execute(
            "SELECT tablename, indexdef LIKE 'CREATE UNIQUE%%', split_part(indexdef, ' USING ', 2)"
            " FROM pg_indexes WHERE tablename IN ('records_record', %s)",
            [PLAIN_TABLE],
        )
        found = {table: set() for table in ("records_record", PLAIN_TABLE)}
        for table, unique, using in cursor.fetchall():
            found[table].add((unique, using))
        for unique, using in found["records_record"] - found[PLAIN_TABLE]:
            kind = "UNIQUE INDEX" if unique else "INDEX"
            cursor.execute(f"CREATE {kind} ON {PLAIN_TABLE} USING {using}")


def _plain_model():
    """`Record` on the copy in clear: the same fields, read with no sealing."""
    from django.db import models

    from records.models import Record

    fields = {
        f.name: f.clone()
        for f in Record._meta.local_fields
        if f.name not in ("id", "sealed")  # the copy's rows were never sealed
    }
    meta = type(
        "Meta",
        (),
        {
            "db_table": PLAIN_TABLE,
            "managed": False,
            "app_label": "records",
            "verbose_name": Record._meta.verbose_name,
            "verbose_name_plural": Record._meta.verbose_name_plural,
            "ordering": Record._meta.ordering,
        },
    )
    attrs = {"__module__": __name__, "Meta": meta, "__str__": Record.__str__, **fields}
    for name in ("member", "category"):
        attrs[name] = models.ForeignKey(
            Record._meta.get_field(name).related_model,
            on_delete=models.DO_NOTHING,
            related_name="+",
            verbose_name=Record._meta.get_field(name).verbose_name,
        )
    return type("PlainRecord", (models.Model,), attrs)


def _vacuum() -> None:
    # Fresh COPYed tables have no visibility map: without it a count reads the heap.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _urlconf(people: list[_Person]) -> types.ModuleType:
    """The project's routes, and for each person a plain admin and API on the same rows."""
    from django.contrib import admin
    from django.urls import include, path
    from rest_framework import generics

    from records.admin import RecordAdmin
    from records.api import RecordOut

    Record = _plain_model()

    class PlainOut(RecordOut):
        class Meta(RecordOut.Meta):
            model = Record

    class PlainRecordAdmin(RecordAdmin):
        """RecordAdmin's page without the gate: a bare queryset, no permission check."""

        rows = None
        whole_categories = False
        list_filter = ("category",)

        def get_queryset(self, request):
            return admin.ModelAdmin.get_queryset(self, request).filter(self.rows)

        def may_estimate(self, request, queryset):
            return self.whole_categories  # whole categories, counted row by row: no tally

        def has_view_permission(self, request, obj=None):
            return True

        def has_module_permission(self, request):
            return True

    routes = []
    for person in people:
        site = admin.AdminSite(name=f"bench_{person.key}")
        site.register(
            Record,
            type(
                "Plain",
                (PlainRecordAdmin,),
                {"rows": person.plain_rows(), "whole_categories": person.category is not None},
            ),
        )
        plain_api = generics.ListAPIView.as_view(
            queryset=Record.objects.filter(person.plain_rows()).select_related("category"),
            serializer_class=PlainOut,
            permission_classes=(),
        )
        routes += [
            path(f"bench/{person.key}/admin/", site.urls),
            path(f"bench/{person.key}/api/", plain_api),
        ]
    module = types.ModuleType(URLCONF)
    module.urlpatterns = [*routes, path("", include("kumiai.urls"))]
    return module


def _signed_in(person: _Person):
    """A client signed in as staff are (password and a verified OTP device), purpose chosen."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    client = Client()
    client.force_login(person.user)
    device, _ = TOTPDevice.objects.get_or_create(user=person.user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    chosen = client.post("/admin/records/record/purpose/", {"purpose": person.purpose})
    assert chosen.status_code == 302, chosen.content
    token, _ = Token.objects.get_or_create(user=person.user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def _timed(client, gated: str, plain: str, runs: int) -> tuple[float, ...]:
    """(median, p95) of the gated page, then of the plain one, in milliseconds."""
    times = {gated: [], plain: []}
    for run in range(runs + WARM_UP):
        for url in (gated, plain) if run % 2 else (plain, gated):
            started = time.perf_counter()
            response = _served(client, url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if run >= WARM_UP:  # caches, buffers, the first render of each template
                times[url].append(elapsed)
    return (*_summary(times[gated]), *_summary(times[plain]))


def _served(client, url: str):
    """`client.get(url)` as a WSGI server serves it: Django's handler closes the connections
    when each request starts and finishes (`close_old_connections`: every time, with
    CONN_MAX_AGE 0; with persistent connections, those too old or broken, and a health check
    before each one's first use), which the test client leaves out."""
    from django.db import close_old_connections

    close_old_connections()
    try:
        return client.get(url)
    finally:
        close_old_connections()


def _summary(times: list[float]) -> tuple[float, float]:
    # One run (`--runs 1`, to build the database) has no quantiles: its one time stands.
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return statistics.median(times), p95


def _explain(client, url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if '"records_record"' in query["sql"] and query["sql"].startswith("SELECT"):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print(f"\n{url}\n{query['sql']}", file=sys.stderr)
                print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)


def _print(rows: list[tuple]) -> None:
    head = f"{'page':44} {'gated ms':>17} {'plain ms':>17} {'ratio':>6}"
    print(f"{head}\n{'':44} {'median':>8} {'p95':>8} {'median':>8} {'p95':>8}")
    for label, median, p95, plain_median, plain_p95 in rows:
        print(
            f"{label:44} {median:8.1f} {p95:8.1f} {plain_median:8.1f} {plain_p95:8.1f} "
            f"{median / plain_median:6.2f}"
        )


if __name__ == "__main__":
    main()
