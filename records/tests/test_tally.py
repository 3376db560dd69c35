"""The tally of records per category (`records.models.Tally`, migration 0018): kept by the
database's triggers through every kind of write, folded by `compact_tallies`, and what the
gate counts a whole category from (PostgreSQL only: SQLite keeps none and counts the rows)."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from audit.tests.test_grant_app_role import app_role, connect, grant  # noqa: F401  (a fixture)
from audit.trail import SYSTEM
from audit.vocabulary import Action
from purposes.tests.factories import CategoryFactory
from records import gate
from records.importing import RECORDS, import_csv
from records.management.commands.compact_tallies import COMPACT
from records.models import Record, Restriction, Tally
from records.services import record_delete, record_update
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory

pytestmark = pytest.mark.postgres_only

NOTICE = "medical-expense-notice"  # permitted for receipts


def tallied() -> dict[int, int]:
    sums = Tally.objects.values("category").annotate(rows=Sum("rows")).values_list
    return {category: rows for category, rows in sums("category", "rows") if rows}


def counted() -> dict[int, int]:
    counts = Record.objects.values("category").annotate(rows=Count("id"))
    return dict(counts.values_list("category", "rows"))


def records_csv(*rows: tuple[str, str]) -> bytes:
    """Records of member 1001-1-00: (source id, category code) each."""
    out = io.StringIO()
    lines = csv.writer(out, lineterminator="\n")
    lines.writerow(
        ["source_id", "symbol", "number", "branch", "category", "date", "title", "payload"]
    )
    for source, code in rows:
        payload = json.dumps(EXAMPLE_PAYLOADS[code], ensure_ascii=False)
        lines.writerow([source, "1001", "1", "00", code, "2026-04-01", source, payload])
    return out.getvalue().encode()


def test_the_tally_follows_every_kind_of_write(register, privacy_officer):
    receipts, checks = register["receipts"], register["health-checks"]
    RecordFactory(category=receipts)  # one INSERT
    Record.objects.bulk_create(  # one INSERT of many rows, in two categories
        [
            Record(member=MemberFactory(), category=c, date=datetime.date(2026, 4, 1), title="t")
            for c in (receipts, receipts, checks)
        ]
    )
    assert tallied() == counted() == {receipts.pk: 3, checks.pk: 1}

    moved = Record.objects.filter(category=receipts).first()
    payload = EXAMPLE_PAYLOADS["health-checks"]
    record_update(record=moved, by=privacy_officer, category=checks, payload=payload)
    assert tallied() == counted() == {receipts.pk: 2, checks.pk: 2}

    record_delete(record=moved, by=privacy_officer, reason_ref="R-1")
    Record.objects.filter(category=receipts).delete()  # one DELETE of many rows
    assert tallied() == counted() == {checks.pk: 1}

    with pytest.raises(RuntimeError), transaction.atomic():
        RecordFactory.create_batch(2, category=receipts)
        raise RuntimeError  # rolled back: its rows are not counted
    assert tallied() == counted() == {checks.pk: 1}


def test_an_import_that_moves_records_to_another_category_moves_their_count(register):
    MemberFactory(symbol="1001", number="1", branch="00")
    first = import_csv(
        data=records_csv(("R-1", "health-checks"), ("R-2", "health-checks")),
        kind=RECORDS,
        by=SYSTEM,
    )
    assert first.ok, first.errors
    again = import_csv(
        data=records_csv(("R-1", "health-checks"), ("R-2", "receipts")),
        kind=RECORDS,
        by=SYSTEM,
    )
    assert again.ok and again.updated == 1, again.errors
    assert tallied() == counted() == {register["health-checks"].pk: 1, register["receipts"].pk: 1}


def test_an_update_that_keeps_the_category_adds_no_row(register, privacy_officer):
    record = RecordFactory(
        category=register["health-checks"], payload=EXAMPLE_PAYLOADS["health-checks"]
    )
    rows = Tally.objects.count()
    record_update(record=record, by=privacy_officer, title="受診日の訂正")
    Record.objects.update(date=datetime.date(2026, 5, 1))
    assert Tally.objects.count() == rows


def test_truncating_the_records_empties_the_tally(register):
    RecordFactory.create_batch(2, category=register["receipts"])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending on the rows
        cursor.execute("TRUNCATE records_record CASCADE")
    assert tallied() == counted() == {}


def test_compacting_keeps_each_sum_in_one_row(register, privacy_officer):
    receipts, checks = register["receipts"], register["health-checks"]
    for _ in range(3):
        RecordFactory(category=receipts)
    gone = RecordFactory(category=checks)
    record_delete(record=gone, by=privacy_officer, reason_ref="R-2")
    assert Tally.objects.count() == 5
    out = io.StringIO()

    call_command("compact_tallies", stdout=out)

    assert out.getvalue() == "記録の件数 5 行を 1 行にまとめました。\n"
    assert list(Tally.objects.values_list("category", "rows")) == [(receipts.pk, 3)]
    assert tallied() == counted()


def test_the_gate_counts_a_whole_category_from_the_tally_less_what_is_withheld(
    handler_receipt, register
):
    kept, stopped = MemberFactory(), MemberFactory()
    for member in (kept, stopped):
        RecordFactory.create_batch(2, member=member, category=register["receipts"])
    RecordFactory(category=register["health-checks"])  # out of the handler's scope
    Restriction.objects.create(
        member=stopped, kind=Restriction.Kind.SUSPEND_USE, since=datetime.date(2020, 1, 1)
    )
    with gate.ledger():
        access = gate.open_access(user=handler_receipt, surface="api", purpose=NOTICE)
        rows = gate.records(access)
        with CaptureQueriesContext(connection) as whole:
            count = rows.count()
        assert count == len(list(rows)) == 2 and type(count) is int
        filtered = rows.filter(date__gte=datetime.date(2000, 1, 1))
        with CaptureQueriesContext(connection) as narrowed:
            assert filtered.count() == len(list(filtered)) == 2
        # The admin's filter by category is on the category alone: still the tally.
        chosen = rows.filter(category=register["receipts"])
        outside = rows.filter(category=register["health-checks"])
        assert gate.records(access).tallied() and chosen.tallied() and outside.tallied()
        assert chosen.count() == len(list(chosen)) == 2
        assert outside.count() == len(list(outside)) == 0
        assert not filtered.tallied()
    (statement,) = [q["sql"] for q in whole.captured_queries if "COUNT(*)" in q["sql"]]
    in_scope, withheld = statement.split(" - ")
    assert "FROM records_tally" in in_scope and "records_record" not in in_scope
    assert "records_restriction" in withheld
    # Narrowed by a filter, the rows are counted: the tally knows whole categories only.
    (statement,) = [q["sql"] for q in narrowed.captured_queries if "COUNT(*)" in q["sql"]]
    assert "records_tally" not in statement


def test_check_and_recount_find_and_mend_a_tally_the_triggers_missed(register):
    receipts = register["receipts"]
    RecordFactory.create_batch(2, category=receipts)
    out = io.StringIO()
    call_command("compact_tallies", "--check", stdout=out)
    assert out.getvalue() == "記録の件数はすべての類型で記録と一致しています。\n"
    with connection.cursor() as cursor:  # a record written with the triggers off, by hand
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no check left pending on the rows
        cursor.execute("ALTER TABLE records_record DISABLE TRIGGER records_tally_insert")
        RecordFactory(category=receipts)
        cursor.execute("ALTER TABLE records_record ENABLE TRIGGER records_tally_insert")

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 類型で記録と合いません"):
        call_command("compact_tallies", "--check", stdout=out)
    assert out.getvalue() == f"{receipts.name}: 件数 2、記録 3 件\n"

    out = io.StringIO()
    call_command("compact_tallies", "--recount", stdout=out)
    assert out.getvalue() == (
        f"{receipts.name}: 件数 2、記録 3 件\n記録の件数を数え直しました（1 類型を訂正）。\n"
    )
    assert tallied() == counted() == {receipts.pk: 3}
    assert Tally.objects.count() == 1
    recounted = Event.objects.get(action=Action.RECORDS_TALLY_RECOUNTED)
    assert (recounted.actor_kind, recounted.details) == ("system", {"categories": ["receipts"]})


def test_the_app_role_writes_records_with_their_tally_and_folds_it(app_role):  # noqa: F811
    # The triggers write the tally as the role that writes the records, and the worker
    # folds it as the app; `grant_app_role` grants both (audit.tests.test_grant_app_role).
    member, category = MemberFactory(), CategoryFactory()
    grant(app_role)
    with connect(app_role) as app:
        for title in ("a", "b"):
            app.execute(
                "INSERT INTO records_record (member_id, category_id, date, title, payload, "
                "created_at, updated_at) VALUES (%s, %s, current_date, %s, '{}', now(), now())",
                [member.pk, category.pk, title],
            )
        app.execute("DELETE FROM records_record WHERE title = 'a'")
        app.execute(COMPACT)
        folded = app.execute("SELECT category_id, rows FROM records_tally").fetchall()

    assert folded == [(category.pk, 1)]
