"""Issue 16: the 要配慮 categories and the bank accounts stored encrypted with a key per member.

The stored row holds no title or payload in clear, the surfaces read the same values as
before, a rotation of the key-encryption key keeps every value readable, and a record whose
key is gone or out of reach says so in Japanese instead of failing.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from rest_framework.authtoken.models import Token

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from core import envelope
from records import keystore, sealing
from records.importing import RECORDS, import_csv
from records.models import DataKey, Record
from records.services import record_update
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from records.tests.test_import import _records_csv

CHECKUP = "checkup-reminder"  # a purpose the register permits for health-checks
PLANTED = "秘密健診クリニック"


def stored(record: Record) -> tuple[str, str, bytes | None]:
    """The row as the database holds it: title, payload (as text) and sealed bytes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title, payload, sealed FROM records_record WHERE id = %s", [record.pk]
        )
        title, payload, sealed = cursor.fetchone()
    return title, payload if isinstance(payload, str) else json.dumps(payload), sealed


@pytest.fixture
def checked(register):
    member = MemberFactory(name="暗号花子")
    payload = {**EXAMPLE_PAYLOADS["health-checks"], "facility": PLANTED}
    return RecordFactory(
        member=member,
        category=register["health-checks"],
        date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
        title="特定健診（秘）",
        payload=payload,
    )


@pytest.fixture
def api(client, handler_kenshin, checked):
    token = Token.objects.create(user=handler_kenshin)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def handler(sign_in, handler_kenshin, checked):
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


def test_a_sensitive_record_is_stored_sealed_and_read_as_before(checked, api):
    title, payload, sealed = stored(checked)

    assert (title, json.loads(payload)) == ("", {})
    assert sealed and PLANTED.encode() not in bytes(sealed)
    # The key is in the key store, not in the main database.
    assert DataKey.objects.filter(member_id=checked.member_id).exists()
    assert "records_datakey" not in connection.introspection.table_names()
    # The API (through the gate) reads what was written.
    body = api.get(f"/api/v1/records/{checked.pk}/", {"purpose": CHECKUP}).json()
    assert body["title"] == "特定健診（秘）"
    assert body["payload"]["facility"] == PLANTED
    # A record read outside the gate opens when its values are first read.
    assert Record.objects.get(pk=checked.pk).payload["facility"] == PLANTED


def test_an_ordinary_category_stays_in_clear(register):
    record = RecordFactory(category=register["eligibility"], title="資格取得")

    assert stored(record)[0] == "資格取得" and stored(record)[2] is None


def test_the_bank_accounts_are_sealed_too(register):
    record = RecordFactory(
        category=register["bank-accounts"],
        title="振込口座",
        payload=EXAMPLE_PAYLOADS["bank-accounts"],
    )

    title, payload, sealed = stored(record)
    assert title == "" and EXAMPLE_PAYLOADS["bank-accounts"]["account_number"] not in payload
    assert sealed


def test_the_admin_pages_and_the_csv_read_the_sealed_values(handler, checked):
    listed = handler.get(reverse("admin:records_record_changelist"))
    page = handler.get(reverse("admin:records_record_change", args=[checked.pk]))
    exported = handler.post(
        reverse("admin:records_record_changelist"),
        {"action": "export_csv", "_selected_action": [checked.pk]},
    )

    assert "特定健診（秘）" in listed.text
    assert PLANTED in page.text
    assert PLANTED in exported.content.decode("utf-8-sig")


def test_a_sealed_value_moved_to_another_members_row_does_not_open(register, checked):
    other = RecordFactory(category=register["health-checks"], title="別人の記録")
    Record.objects.filter(pk=other.pk).update(sealed=stored(checked)[2])

    moved = Record.objects.get(pk=other.pk)

    assert moved.payload == {} and moved.unreadable
    assert PLANTED not in moved.title


def test_a_record_edited_stays_sealed_and_keeps_the_change(checked, register):
    record_update(record=checked, title="特定健診改", by=SYSTEM)

    assert stored(checked)[0] == ""
    assert Record.objects.get(pk=checked.pk).title == "特定健診改"


def test_key_rotation_rewraps_the_data_keys_and_keeps_every_value_readable(
    settings, register, checked
):
    others = [
        RecordFactory(
            category=register["receipts"],
            title=f"外来レセプト{n}",
            payload={**EXAMPLE_PAYLOADS["receipts"], "institution_name": f"病院{n}"},
        )
        for n in range(3)
    ]
    sealed_before = {r.pk: bytes(stored(r)[2]) for r in [checked, *others]}
    old = settings.KUMIAI_KEK
    settings.KUMIAI_KEK, settings.KUMIAI_KEK_PREVIOUS = envelope.generate_kek(), [old]
    out = StringIO()

    call_command("rotate_keys", stdout=out)

    new_id = envelope.current_kek()[0]
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {new_id}
    assert "データ鍵 4 件を" in out.getvalue()
    event = Event.objects.get(action=Action.RECORDS_KEYS_REWRAPPED)
    assert event.details["keys"] == 4 and event.details["kek"] == new_id
    # Only the keys changed; with the old KEK gone every value still reads.
    settings.KUMIAI_KEK_PREVIOUS = []
    assert {r.pk: bytes(stored(r)[2]) for r in [checked, *others]} == sealed_before
    assert Record.objects.get(pk=checked.pk).payload["facility"] == PLANTED
    assert [Record.objects.get(pk=r.pk).payload["institution_name"] for r in others] == [
        "病院0",
        "病院1",
        "病院2",
    ]
    # Run again: nothing left to re-wrap.
    call_command("rotate_keys", stdout=StringIO())
    assert Event.objects.filter(action=Action.RECORDS_KEYS_REWRAPPED).last().details["keys"] == 0


def test_without_the_previous_key_a_rotation_says_what_to_do(settings, checked):
    settings.KUMIAI_KEK = envelope.generate_kek()

    with pytest.raises(Exception, match="KUMIAI_KEK_PREVIOUS"):
        call_command("rotate_keys", stdout=StringIO())
    # And reading says so, instead of failing.
    record = Record.objects.get(pk=checked.pk)
    assert record.title == str(sealing.UNREADABLE_TITLE)
    assert "KUMIAI_KEK_PREVIOUS" in record.unreadable


def test_a_record_whose_key_was_destroyed_reads_as_unreadable_in_japanese(handler, checked):
    keystore.destroy([checked.member_id])

    listed = handler.get(reverse("admin:records_record_changelist"))
    page = handler.get(reverse("admin:records_record_change", args=[checked.pk]))

    assert listed.status_code == page.status_code == 200
    assert "（暗号化された記録：読めません）" in listed.text
    assert "データ鍵が鍵保管庫にないため読めません" in page.text
    assert PLANTED not in page.text
    # Read-only: saving would overwrite the sealed values with nothing.
    assert 'name="_save"' not in page.text


@pytest.mark.usefixtures("audit_transactional_db")
def test_losing_the_key_store_says_so_clearly_instead_of_failing(register, settings, handler):
    record = Record.objects.get(member__name="暗号花子")
    keys = connections[keystore.ALIAS]
    # The key store is lost: its database holds no keys table any more (an in-memory SQLite
    # database cannot be made unreachable, and this reads the same on both databases).
    with keys.schema_editor() as editor:
        editor.delete_model(DataKey)
    try:
        listed = handler.get(reverse("admin:records_record_changelist"))
        page = handler.get(reverse("admin:records_record_change", args=[record.pk]))
        token = Token.objects.create(user=page.wsgi_request.user)
        body = handler.get(
            f"/api/v1/records/{record.pk}/",
            {"purpose": CHECKUP},
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
    finally:
        with keys.schema_editor() as editor:
            editor.create_model(DataKey)

    assert listed.status_code == page.status_code == body.status_code == 200
    assert "（暗号化された記録：読めません）" in listed.text
    assert "鍵保管庫に接続できないため" in page.text
    assert body.json()["title"] == "（暗号化された記録：読めません）"
    assert body.json()["payload"] == {}
    assert PLANTED not in page.text + listed.text


def test_an_import_seals_sensitive_records_and_reads_them_back_to_compare(register):
    member = MemberFactory(symbol="7001", number="1", branch="00")
    payload = json.dumps({**EXAMPLE_PAYLOADS["health-checks"], "facility": PLANTED})
    row = ["H-1", "7001", "1", "00", "health-checks", "2026-04-01", "取込健診", payload]
    data = _records_csv(row)

    first = import_csv(data=data, kind=RECORDS, by=SYSTEM)
    again = import_csv(data=data, kind=RECORDS, by=SYSTEM)

    assert first.ok and first.created == 1, first.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    record = Record.objects.get(source_id="H-1")
    assert stored(record)[0] == "" and record.member == member
    assert record.payload["facility"] == PLANTED


def test_seal_records_seals_what_an_older_version_left_in_clear(register, checked):
    Record.objects.filter(pk=checked.pk).update(
        title="旧い平文", payload={**EXAMPLE_PAYLOADS["health-checks"]}, sealed=None
    )
    out = StringIO()

    call_command("seal_records", stdout=out)

    assert stored(checked)[0] == "" and stored(checked)[2]
    assert Record.objects.get(pk=checked.pk).title == "旧い平文"
    assert "1 件" in out.getvalue()
    assert Event.objects.get(action=Action.RECORDS_RECORDS_SEALED).details == {"records": 1}


def test_art35_erasing_the_whole_member_destroys_their_key_for_every_earlier_copy(
    checked, django_capture_on_commit_callbacks
):
    from records.models import Member
    from records.services import member_erase

    member = checked.member
    # What a backup taken now holds: the member's row and their sealed record, as stored.
    kept_member = Member.objects.filter(pk=member.pk).values().get()
    kept_record = Record.objects.filter(pk=checked.pk).values().get()

    with django_capture_on_commit_callbacks(execute=True):
        member_erase(member=member, by=SYSTEM, reason_ref="R-1")

    assert not DataKey.objects.filter(member_id=kept_member["id"]).exists()
    # The backup restored: the rows come back, their sealed values do not open.
    Member.objects.create(**kept_member)
    Record.objects.bulk_create([Record(**kept_record)])
    restored = Record.objects.get(pk=checked.pk)
    assert restored.title == "（暗号化された記録：読めません）" and restored.payload == {}
    assert "データ鍵が鍵保管庫にないため" in restored.unreadable


def test_sealing_many_records_reads_their_categories_once(
    register, checked, django_assert_num_queries
):
    member = MemberFactory()
    # As the import builds them: the category's id, not the category.
    records = [
        Record(member=member, category_id=register[code].pk, title="t", payload=payload)
        for code in ("receipts", "health-checks", "eligibility")
        for payload in [EXAMPLE_PAYLOADS[code]] * 6
    ]

    # One query for the categories and one locking the members against a re-key, whatever
    # the number of records (the keys are the key store's, another database).
    with django_assert_num_queries(2):
        sealing.seal_records(records)
    sealed = {record.category_id for record in records if record.sealed}
    assert sealed == {register["receipts"].pk, register["health-checks"].pk}
