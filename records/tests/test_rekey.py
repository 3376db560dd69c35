"""Issue 16: after a partial erasure the member gets a new data key, their remaining sealed
records are sealed again under it and the old key is destroyed, so the erased records' copies
in earlier backups of the main database no longer open; the live records still read.

A backup is played by keeping a row's stored values before the erasure (what a dump holds)
and writing them back after it. The round trip through `pg_dump` and the restore drill is in
`tests/test_restore.py`.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from core import envelope
from records import keystore, sealing
from records.models import DataKey, Member, Record
from records.services import member_erase
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory

UNREADABLE = "（暗号化された記録：読めません）"


@pytest.fixture
def member(register):
    member = MemberFactory(name="一部消去")
    for title, facility in (("消す健診", "消去クリニック"), ("残す健診", "残存クリニック")):
        payload = {**EXAMPLE_PAYLOADS["health-checks"], "facility": facility}
        RecordFactory(
            member=member,
            category=register["health-checks"],
            date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
            title=title,
            payload=payload,
        )
    return member


def records_of(member: Member) -> dict[str, Record]:
    return {record.title: record for record in Record.objects.filter(member=member)}


def backup_of(record: Record) -> dict:
    """The row as a dump of the main database holds it."""
    return Record.objects.filter(pk=record.pk).values().get()


def erase_one(member: Member, record: Record, capture) -> None:
    with capture(execute=True):
        member_erase(member=member, by=SYSTEM, reason_ref="R-16", record_ids=[record.pk])


def test_art35_a_partial_erasure_leaves_the_erased_records_backup_copy_unreadable(
    member, django_capture_on_commit_callbacks
):
    erased = records_of(member)["消す健診"]
    old_backup = backup_of(erased)

    erase_one(member, erased, django_capture_on_commit_callbacks)

    # The old backup restored: its copy of the erased record no longer opens.
    Record.objects.bulk_create([Record(**old_backup)])
    restored = Record.objects.get(pk=erased.pk)
    assert restored.title == UNREADABLE and restored.payload == {}
    assert "データ鍵が鍵保管庫にないため" in restored.unreadable
    with pytest.raises(envelope.KeyUnavailable):
        keys = keystore.data_keys([member.pk])[member.pk]
        envelope.open_sealed(keys.current, old_backup["sealed"], aad=sealing._aad(restored))
    # The live record is read as before, sealed under the new key; the old key is gone.
    kept = Record.objects.get(pk=records_of(member)["残す健診"].pk)
    assert kept.payload["facility"] == "残存クリニック"
    assert envelope.key_version(kept.sealed) == 2
    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version, key.retiring_wrapped) == (2, None, None)
    replaced = Event.objects.get(action=Action.RECORDS_KEY_REPLACED)
    assert (replaced.target_id, replaced.details) == (str(member.pk), {"records": 1, "version": 2})


def test_a_second_partial_erasure_replaces_the_key_again(
    member, django_capture_on_commit_callbacks
):
    first, second = records_of(member)["消す健診"], records_of(member)["残す健診"]
    third = RecordFactory(member=member, category=first.category, title="三つ目")
    erase_one(member, first, django_capture_on_commit_callbacks)
    second_backup = backup_of(Record.objects.get(pk=second.pk))  # sealed under version 2

    erase_one(member, second, django_capture_on_commit_callbacks)

    Record.objects.bulk_create([Record(**second_backup)])
    assert Record.objects.get(pk=second.pk).title == UNREADABLE
    assert Record.objects.get(pk=third.pk).title == "三つ目"
    assert DataKey.objects.get(member_id=member.pk).version == 3


def test_an_erasure_of_records_stored_in_clear_keeps_the_key(
    member, register, django_capture_on_commit_callbacks
):
    plain = RecordFactory(member=member, category=register["eligibility"])

    erase_one(member, plain, django_capture_on_commit_callbacks)

    assert DataKey.objects.get(member_id=member.pk).version == 1
    assert not Event.objects.filter(action=Action.RECORDS_KEY_REPLACED).exists()


def test_a_rekey_cut_short_before_its_records_moved_leaves_them_readable(member, monkeypatch):
    # The new key is made, then the process dies while the records are sealed again: that
    # transaction rolls back, and the old key is still there to read them.
    assert keystore.rotate(member.pk)

    def dies(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(Record.objects, "bulk_update", dies)
        with pytest.raises(KeyboardInterrupt):
            sealing.rekey(member.pk)

    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version) == (2, 1)
    titles = {record.title: record.payload["facility"] for record in Record.objects.all()}
    assert titles == {"消す健診": "消去クリニック", "残す健診": "残存クリニック"}


def test_rekey_members_finishes_a_rekey_cut_short(member, django_capture_on_commit_callbacks):
    assert keystore.rotate(member.pk)  # the process died after making the new key
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("rekey_members", stdout=out)

    assert "1 件を完了" in out.getvalue()
    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version) == (2, None)
    stored = Record.objects.filter(member=member).values_list("sealed", flat=True)
    assert {envelope.key_version(sealed) for sealed in stored} == {2}
    assert {record.title for record in Record.objects.all()} == {"消す健診", "残す健診"}


@pytest.mark.usefixtures("audit_transactional_db")
def test_a_record_written_while_a_key_is_retiring_reads_and_moves_over(member, register):
    # Committed step by step, as `rekey_members` runs: the retiring key goes only once the
    # records have moved, before the next key is made.
    assert keystore.rotate(member.pk)
    written = RecordFactory(member=member, category=register["health-checks"], title="途中の記録")
    assert envelope.key_version(Record.objects.get(pk=written.pk).sealed) == 2

    moved = sealing.rekey(member.pk)

    assert moved == 3  # the two under version 1, then all three under version 3
    assert DataKey.objects.get(member_id=member.pk).version == 3
    assert Record.objects.get(pk=written.pk).title == "途中の記録"


def test_key_rotation_rewraps_a_retiring_key_too(member, settings):
    assert keystore.rotate(member.pk)
    settings.KUMIAI_KEK_PREVIOUS = [settings.KUMIAI_KEK]
    settings.KUMIAI_KEK = envelope.generate_kek()

    call_command("rotate_keys", stdout=StringIO())
    settings.KUMIAI_KEK_PREVIOUS = []

    key = DataKey.objects.get(member_id=member.pk)
    assert key.kek_id == key.retiring_kek_id == envelope.current_kek()[0]
    assert {record.title for record in Record.objects.all()} == {"消す健診", "残す健診"}
