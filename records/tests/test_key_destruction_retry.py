"""Issue 16: erasing a member whole destroys their data key once the erasure commits, so that
their sealed values are unreadable in every backup of the main database. A destruction the key
store refused is not left to the ledger's next replay: it is pending in the main database
beside the re-keys (`records.rekeying`), the worker tries it again with back-off until the
store is back, the privacy officer's banner and the auditor's trail report count it meanwhile,
and the trail holds the failure and the completion (ids and an error's class only).

The key store goes down as in `test_rekey_retry` (every statement on its connection refused).
A backup is played by keeping the member's and their record's rows as a dump holds them.
"""

import json
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.trail import SYSTEM
from audit.vocabulary import Action
from core import envelope
from records import keystore, rekeying, sealing
from records.models import DataKey, Member, PendingKeyOperation, Record
from records.services import member_erase
from records.tests.test_rekey import UNREADABLE, backup_of, erase_one, member, records_of
from records.tests.test_rekey_retry import (
    events,
    key_store,
    queued_retries,
    time_passes,
    worker,
)

__all__ = ["key_store", "member", "time_passes", "worker"]  # fixtures

Kind = PendingKeyOperation.Kind
BANNER = "鍵の破棄が完了していない消去済みの加入者が1件あります"
REPORT = "消去の後のデータ鍵の処理（未完了）"


def erase_whole(member: Member, capture) -> None:
    with capture(execute=True):
        member_erase(member=member, by=SYSTEM, reason_ref="R-16")


def backup_of_member(member: Member) -> dict:
    """The member's row as a dump of the main database holds it."""
    return Member.objects.filter(pk=member.pk).values().get()


def opens(backup: dict) -> dict | None:
    """The record's sealed title and payload in `backup`, opened with the member's key as the
    key store holds it now; None where the store holds no key of theirs."""
    keys = keystore.data_keys([backup["member_id"]]).get(backup["member_id"])
    if keys is None:
        return None
    aad = sealing._aad(Record(**backup))
    return json.loads(envelope.open_sealed(keys.current, backup["sealed"], aad=aad))


def report_rows(response) -> list[tuple]:
    (section,) = [s for s in response.context["sections"] if s["table"].title == REPORT]
    return [tuple(row) for row in section["table"].rows]


def test_art35_a_key_the_store_refused_to_destroy_is_destroyed_by_the_worker_once_it_is_back(
    member, key_store, worker, time_passes, django_capture_on_commit_callbacks
):
    record = records_of(member)["消す健診"]
    member_backup, record_backup = backup_of_member(member), backup_of(record)
    member_id = member.pk

    key_store.up = False
    erase_whole(member, django_capture_on_commit_callbacks)

    # The erasure stands in the main database; the key's destruction is pending, its failure
    # in the trail, a retry queued.
    assert not Member.objects.filter(pk=member_id).exists()
    assert not Record.objects.filter(member_id=member_id).exists()
    pending = PendingKeyOperation.objects.get()
    assert (pending.member_id, pending.kind, pending.attempts, pending.last_error) == (
        member_id,
        Kind.DESTROY,
        1,
        "KeyStoreUnavailable",
    )
    (failed,) = events(Action.RECORDS_KEYDESTRUCTION_FAILED)
    assert (failed.target_type, failed.target_id) == ("records.member", str(member_id))
    assert failed.details == {"error": "KeyStoreUnavailable"}
    assert queued_retries() == 1

    # Due, the store still down: tried, counted, queued again, no second event.
    time_passes()
    worker()
    assert PendingKeyOperation.objects.get().attempts == 2
    assert queued_retries() == 1
    assert len(events(Action.RECORDS_KEYDESTRUCTION_FAILED)) == 1

    # The store is back, the retry not yet due: the backup's sealed value still opens.
    key_store.up = True
    assert opens(record_backup)["payload"]["facility"] == "消去クリニック"
    time_passes()
    worker()

    # Destroyed: the backup's copy no longer opens, directly or restored whole.
    assert not PendingKeyOperation.objects.exists()
    assert not DataKey.objects.filter(member_id=member_id).exists()
    assert opens(record_backup) is None
    Member.objects.bulk_create([Member(**member_backup)])
    Record.objects.bulk_create([Record(**record_backup)])
    restored = Record.objects.get(pk=record.pk)
    assert (restored.title, restored.payload) == (UNREADABLE, {})
    (completed,) = events(Action.RECORDS_KEYDESTRUCTION_COMPLETED)
    assert (completed.target_id, completed.details) == (str(member_id), {"tries": 3})

    # The retry still queued finds nothing to do.
    time_passes()
    worker()
    assert queued_retries() == 0
    assert len(events(Action.RECORDS_KEYDESTRUCTION_COMPLETED)) == 1


def test_a_key_destroyed_at_once_leaves_nothing_pending(
    member, worker, time_passes, django_capture_on_commit_callbacks
):
    member_id = member.pk

    erase_whole(member, django_capture_on_commit_callbacks)

    assert not DataKey.objects.filter(member_id=member_id).exists()
    assert not PendingKeyOperation.objects.exists()
    time_passes()
    worker()
    assert queued_retries() == 0
    assert not events(Action.RECORDS_KEYDESTRUCTION_FAILED) + events(
        Action.RECORDS_KEYDESTRUCTION_COMPLETED
    )


def test_a_key_already_gone_counts_as_destroyed(
    member, key_store, worker, time_passes, django_capture_on_commit_callbacks
):
    member_id = member.pk
    key_store.up = False
    erase_whole(member, django_capture_on_commit_callbacks)
    key_store.up = True
    # Destroyed meanwhile by other means (a replay of the erasure ledger, by hand).
    keystore.destroy([member_id])

    time_passes()
    worker()

    assert not PendingKeyOperation.objects.exists()
    assert events(Action.RECORDS_KEYDESTRUCTION_COMPLETED)[0].details == {"tries": 2}


def test_art35_a_whole_erasure_replaces_a_pending_rekey_with_the_destruction(
    member, key_store, django_capture_on_commit_callbacks
):
    member_id, erased = member.pk, records_of(member)["消す健診"]
    key_store.up = False
    erase_one(member, erased, django_capture_on_commit_callbacks)
    since = PendingKeyOperation.objects.get().since

    erase_whole(member, django_capture_on_commit_callbacks)

    # One operation per member: the destruction, which covers the partial erasure too, asked
    # for since the first erasure.
    pending = PendingKeyOperation.objects.get()
    assert (pending.kind, pending.since, pending.attempts) == (Kind.DESTROY, since, 1)
    assert len(events(Action.RECORDS_REKEY_FAILED)) == 1
    assert len(events(Action.RECORDS_KEYDESTRUCTION_FAILED)) == 1

    # rekey_members does it without waiting for the worker.
    key_store.up = True
    out = StringIO()
    call_command("rekey_members", stdout=out)

    assert "保留中の鍵の取替え 0 件、破棄 1 件を完了しました" in out.getvalue()
    assert not PendingKeyOperation.objects.exists()
    assert not DataKey.objects.filter(member_id=member_id).exists()
    assert events(Action.RECORDS_KEYDESTRUCTION_COMPLETED)[0].details == {"tries": 2}
    assert not events(Action.RECORDS_REKEY_COMPLETED)


def test_a_late_rekey_leaves_the_destruction_that_replaced_it_pending(member):
    PendingKeyOperation.objects.create(member_id=member.pk, kind=Kind.DESTROY, since=timezone.now())

    rekeying._done(member.pk, Kind.REKEY, erasures=1, by=None)

    assert PendingKeyOperation.objects.get().kind == Kind.DESTROY


def test_the_officer_sees_the_pending_destruction_counted_until_it_is_done(
    member,
    key_store,
    worker,
    time_passes,
    sign_in,
    privacy_officer,
    django_capture_on_commit_callbacks,
):
    name, kana = str(member), member.name_kana
    key_store.up = False
    erase_whole(member, django_capture_on_commit_callbacks)
    key_store.up = True
    since = timezone.localtime(PendingKeyOperation.objects.get().since)
    officer = sign_in(privacy_officer)

    page = officer.get(reverse("admin:index")).content.decode()

    assert BANNER in page
    assert f"{since:%Y}年{since.month}月{since.day}日 {since:%H:%M}から" in page
    assert "鍵の再生成が完了していない" not in page
    # Counts and a time only: nothing that names the member.
    assert name not in page and kana not in page

    time_passes()
    worker()
    assert BANNER not in officer.get(reverse("admin:index")).content.decode()


def test_the_auditor_reads_the_pending_destruction_on_the_trail_report_until_it_is_done(
    member,
    key_store,
    worker,
    time_passes,
    sign_in,
    auditor,
    django_capture_on_commit_callbacks,
):
    name, kana = str(member), member.name_kana
    key_store.up = False
    erase_whole(member, django_capture_on_commit_callbacks)
    key_store.up = True
    auditor_client = sign_in(auditor)

    page = auditor_client.get(reverse("reports:trail"))

    assert report_rows(page) == [("破棄", 1, PendingKeyOperation.objects.get().since)]
    # Counts and a time only: nothing that names the member.
    text = page.content.decode()
    assert name not in text and kana not in text

    time_passes()
    worker()
    page = auditor_client.get(reverse("reports:trail"))
    assert report_rows(page) == []
    assert "未完了の処理はありません" in page.content.decode()
