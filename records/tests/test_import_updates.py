"""Importing a file again after the core system changed rows: the stored rows are updated
in place (records.importing.writing), field by field, in the import's one transaction."""

import datetime
import hashlib
import json

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from records import importing
from records.importing import MEMBERS, RECORDS, import_csv, writing
from records.models import Member, Record
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, category
from records.tests.test_import import MEMBERS_CSV, _records_csv

M_4 = "M-4,1001,43,00,山田 次郎,ヤマダ ジロウ,1982-01-01,1,本人,,本社,2015-04-01,\n"


def _import(data: str | bytes, kind: str = MEMBERS) -> importing.ImportReport:
    data = data.encode() if isinstance(data, str) else data
    report = import_csv(data=data, kind=kind, by=SYSTEM)
    assert report.ok, report.errors
    return report


def _counts(report: importing.ImportReport) -> tuple[int, int, int]:
    return report.created, report.updated, report.unchanged


def _members() -> dict[str, dict]:
    return {member["source_id"]: member for member in Member.objects.values()}


@pytest.mark.django_db
def test_it_updates_only_the_fields_that_changed_and_only_on_their_rows():
    _import(MEMBERS_CSV)
    MemberFactory(symbol="2002", number="5", source_id="OTHER")
    before = _members()
    # Typed as core systems export them: hiragana and a dash for the long-vowel mark.
    changed = MEMBERS_CSV.replace("やまだ　たろう", "やまだ　たろ－").replace(
        "大阪支社", "名古屋支社"
    )

    report = _import(changed)

    assert _counts(report) == (0, 2, 1)
    assert _members() == {
        "M-1": before["M-1"] | {"name_kana": "ヤマダ タロー"},
        "M-2": before["M-2"],
        "M-3": before["M-3"] | {"employer": "名古屋支社"},
        "OTHER": before["OTHER"],
    }
    event = Event.objects.filter(action=Action.RECORDS_MEMBER_IMPORTED).latest("seq")
    assert event.details == {
        "sha256": hashlib.sha256(changed.encode()).hexdigest(),
        "rows": 3,
        "created": 0,
        "updated": 2,
        "unchanged": 1,
        "masked": 0,
    }
    assert Event.objects.filter(action__startswith="records.member.").count() == 2
    # And back, in the same connection and transaction: the first update left nothing behind.
    assert _counts(_import(MEMBERS_CSV)) == (0, 2, 1)
    assert _members() == before


@pytest.mark.django_db
def test_it_empties_values_and_takes_a_dependent_off_its_insured_person():
    _import(MEMBERS_CSV)
    before = _members()
    # Every changed row's 資格喪失日 and 被保険者 emptied: columns of nothing but NULLs.
    changed = (
        MEMBERS_CSV.replace(",子,M-1,", ",本人,,").replace("大阪支社", "").replace("2025-03-31", "")
    )

    report = _import(changed)

    assert _counts(report) == (0, 2, 1)
    assert _members() == {
        "M-1": before["M-1"],
        "M-2": before["M-2"] | {"relationship": "self", "insured_id": None},
        "M-3": before["M-3"] | {"employer": "", "lost_on": None},
    }


@pytest.mark.django_db
def test_it_points_a_dependent_at_an_insured_person_created_by_the_same_import():
    _import(MEMBERS_CSV)

    report = _import(MEMBERS_CSV.replace(",M-1,", ",M-4,") + M_4)

    assert _counts(report) == (1, 1, 2)
    hanako = Member.objects.get(source_id="M-2")
    assert hanako.insured == Member.objects.get(source_id="M-4")


@pytest.mark.django_db
def test_it_updates_every_batch(monkeypatch):
    monkeypatch.setattr(writing, "BATCH_SIZE", 2)
    _import(MEMBERS_CSV)

    report = _import(
        MEMBERS_CSV.replace("2015-04-01", "2016-04-01").replace("2001-04-01", "2002-04-01")
    )

    assert _counts(report) == (0, 3, 0)
    assert set(Member.objects.values_list("source_id", "acquired_on")) == {
        ("M-1", datetime.date(2016, 4, 1)),
        ("M-2", datetime.date(2016, 4, 1)),
        ("M-3", datetime.date(2002, 4, 1)),
    }


def _records(check: dict, receipt: dict, *, receipt_of="42", receipt_title="レセプト") -> bytes:
    """R-1 a health check and R-2 a receipt as given; R-3 a receipt that never changes."""
    unchanged = json.dumps(EXAMPLE_PAYLOADS["receipts"])
    receipt_json = json.dumps(receipt, ensure_ascii=False)
    return _records_csv(
        ["R-1", "1001", "42", "00", "health-checks", "2025-05-20", "健診", json.dumps(check)],
        ["R-2", "1001", receipt_of, "00", "receipts", "2025-10-31", receipt_title, receipt_json],
        ["R-3", "1001", "42", "00", "receipts", "2025-11-30", "レセプト", unchanged],
    )


@pytest.mark.django_db
def test_it_updates_records_with_their_payloads_exactly_and_stamps_updated_at():
    MemberFactory(symbol="1001", number="42", branch="00")
    sato = MemberFactory(symbol="1001", number="43", branch="00")
    category("health-checks")
    category("receipts")
    check, receipt = EXAMPLE_PAYLOADS["health-checks"], EXAMPLE_PAYLOADS["receipts"]
    _import(_records(check, receipt), kind=RECORDS)
    before = {r["source_id"]: r for r in Record.objects.values()}
    new_check = check | {
        "facility": 'Clinic "Shiba" \\ 芝健診センター',  # quotes and a backslash, as text
        "bmi": 23.456789012345677,  # every digit of a double
        "smoker": True,
    }
    new_receipt = receipt | {"diagnoses": ["急性上気道炎", "腰痛症"], "points": 98_765}
    started = timezone.now()

    report = _import(
        # Moved to another member, typed in full width as the title is.
        _records(new_check, new_receipt, receipt_of="４３", receipt_title="レセプト（ＡＢＣ）"),
        kind=RECORDS,
    )

    assert _counts(report) == (0, 2, 1)
    after = {r["source_id"]: r for r in Record.objects.values()}
    stamp = after["R-1"]["updated_at"]
    assert stamp > started and after["R-2"]["updated_at"] == stamp
    assert after == {
        "R-1": before["R-1"] | {"payload": new_check, "updated_at": stamp},
        "R-2": before["R-2"]
        | {
            "member_id": sato.pk,
            "title": "レセプト(ABC)",
            "payload": new_receipt,
            "updated_at": stamp,
        },
        "R-3": before["R-3"],
    }
    assert type(after["R-1"]["payload"]["bmi"]) is float
    # Stored as JSON objects that the database searches, not as strings of JSON.
    assert Record.objects.get(payload__facility=new_check["facility"]).source_id == "R-1"
    assert Record.objects.get(payload__smoker=True).source_id == "R-1"


@pytest.mark.django_db(transaction=True)
def test_it_writes_nothing_when_the_update_fails_and_imports_again(audit_transactional_db):
    _import(MEMBERS_CSV)
    before = _members()
    failed = []

    def fail_once_the_rows_are_updated(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('UPDATE "records_member"') and not failed:
            failed.append(sql)
            raise DatabaseError("the server went away")
        return result

    changed = MEMBERS_CSV.replace("本社", "新本社").replace("大阪支社", "名古屋支社") + M_4

    with (
        connection.execute_wrapper(fail_once_the_rows_are_updated),
        pytest.raises(DatabaseError),
    ):
        import_csv(data=changed.encode(), kind=MEMBERS, by=SYSTEM)

    assert failed  # M-4 was created and the stored rows updated before the failure
    assert _members() == before
    assert Event.objects.filter(action=Action.RECORDS_MEMBER_IMPORTED).count() == 1
    # Nothing of the failed import is left in the way of the next one.
    assert _counts(_import(changed)) == (1, 2, 1)
    assert Member.objects.get(source_id="M-3").employer == "名古屋支社"
