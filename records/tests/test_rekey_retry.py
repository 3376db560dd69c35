"""Issue 16: a re-key after a partial erasure that the key store refused is not left to a log
line. It is pending in the main database, the worker tries it again with back-off until the
store is back, the privacy officer sees 「鍵の再生成が完了していない加入者が N 件あります」
meanwhile, and the trail holds the failure and the completion (ids and an error's class
only).

The key store is made unreachable by refusing every statement on its connection, as a server
that is down refuses them (`KeyStoreUnavailable`, the real path from a `DatabaseError`).
"""

import contextlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit.models import Event
from audit.vocabulary import Action
from core import envelope
from records import keystore, rekeying
from records.models import DataKey, PendingKeyOperation, Record
from records.tests.test_rekey import UNREADABLE, backup_of, erase_one, member, records_of

__all__ = ["member"]  # the fixture, shared with test_rekey

BANNER = "鍵の再生成が完了していない加入者が1件あります"


class KeyStore:
    """The key store's server, up or down, for the test's connection to it."""

    def __init__(self):
        self.up = True

    def _refuse(self, execute, sql, params, many, context):
        if not self.up:
            raise OperationalError("could not connect to server: Connection refused")
        return execute(sql, params, many, context)

    @contextlib.contextmanager
    def wired(self):
        with connections[keystore.ALIAS].execute_wrapper(self._refuse):
            yield self


@pytest.fixture
def key_store():
    with KeyStore().wired() as store:
        yield store


@pytest.fixture
def time_passes():
    """Brings the pending re-keys' next tries forward to now, as if their back-off had passed."""

    def advance() -> None:
        now = timezone.now()
        PendingKeyOperation.objects.update(next_attempt_at=now)
        DBTaskResult.objects.filter(
            task_path=rekeying.retry.module_path, status=TaskResultStatus.READY
        ).update(run_after=now)

    return advance


@pytest.fixture
def worker(run_worker, django_capture_on_commit_callbacks):
    """The worker, its commits' hooks run (the old key goes as the records' move commits)."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            run_worker()

    return run


def events(action: Action) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("seq"))


def queued_retries() -> int:
    return DBTaskResult.objects.filter(
        task_path=rekeying.retry.module_path, status=TaskResultStatus.READY
    ).count()


def test_art35_a_rekey_the_key_store_refused_is_finished_by_the_worker_once_it_is_back(
    member, key_store, worker, time_passes, django_capture_on_commit_callbacks
):
    erased, kept = records_of(member)["消す健診"], records_of(member)["残す健診"]
    old_backup = backup_of(erased)

    key_store.up = False
    erase_one(member, erased, django_capture_on_commit_callbacks)

    # The erasure stands; the re-key is pending, its failure in the trail, a retry queued.
    assert not Record.objects.filter(pk=erased.pk).exists()
    pending = PendingKeyOperation.objects.get()
    assert (pending.member_id, pending.attempts, pending.last_error) == (
        member.pk,
        1,
        "KeyStoreUnavailable",
    )
    (failed,) = events(Action.RECORDS_REKEY_FAILED)
    assert (failed.target_type, failed.target_id) == ("records.member", str(member.pk))
    assert failed.details == {"error": "KeyStoreUnavailable"}
    assert queued_retries() == 1

    # Not yet due: the worker leaves it. Due, with the store still down: tried, and queued again.
    worker()
    assert PendingKeyOperation.objects.get().attempts == 1
    time_passes()
    worker()
    assert PendingKeyOperation.objects.get().attempts == 2
    assert queued_retries() == 1
    assert len(events(Action.RECORDS_REKEY_FAILED)) == 1  # the first failure, not every try

    # The store is back: the next try re-keys, and the old backup's copy no longer opens.
    key_store.up = True
    assert DataKey.objects.get(member_id=member.pk).version == 1
    time_passes()
    worker()

    assert not PendingKeyOperation.objects.exists()
    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version, key.retiring_wrapped) == (2, None, None)
    Record.objects.bulk_create([Record(**old_backup)])
    assert Record.objects.get(pk=erased.pk).title == UNREADABLE
    assert Record.objects.get(pk=kept.pk).payload["facility"] == "残存クリニック"
    (completed,) = events(Action.RECORDS_REKEY_COMPLETED)
    assert (completed.target_id, completed.details) == (str(member.pk), {"tries": 3})
    assert events(Action.RECORDS_KEY_REPLACED)[-1].details == {"records": 1, "version": 2}

    # The retry still queued finds nothing to do, and does nothing.
    time_passes()
    worker()
    assert DataKey.objects.get(member_id=member.pk).version == 2
    assert queued_retries() == 0


def test_a_rekey_done_at_once_leaves_nothing_pending_and_its_queued_retry_idle(
    member, worker, time_passes, django_capture_on_commit_callbacks
):
    erase_one(member, records_of(member)["消す健診"], django_capture_on_commit_callbacks)

    assert not PendingKeyOperation.objects.exists()
    time_passes()
    worker()
    assert DataKey.objects.get(member_id=member.pk).version == 2
    assert not events(Action.RECORDS_REKEY_FAILED) + events(Action.RECORDS_REKEY_COMPLETED)


@pytest.mark.usefixtures("audit_transactional_db")  # each commit's hooks run as in production
def test_a_store_lost_after_the_new_key_leaves_every_record_readable_until_the_retry(
    member, key_store, worker, time_passes, monkeypatch, django_capture_on_commit_callbacks
):
    # The new key is made, then the store goes before the records move: the old key stays
    # beside the new one, never a row without its key; the retry finishes and re-keys.
    rotate = keystore.rotate

    def rotate_then_lose_the_store(member_id):
        made = rotate(member_id)
        key_store.up = False
        return made

    with monkeypatch.context() as patched:
        patched.setattr(keystore, "rotate", rotate_then_lose_the_store)
        erase_one(member, records_of(member)["消す健診"], django_capture_on_commit_callbacks)
    key_store.up = True

    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version) == (2, 1)
    assert Record.objects.get(member=member).payload["facility"] == "残存クリニック"
    assert PendingKeyOperation.objects.get().attempts == 1

    time_passes()
    worker()

    key = DataKey.objects.get(member_id=member.pk)
    assert (key.version, key.retiring_version) == (3, None)
    stored = Record.objects.get(member=member)
    assert envelope.key_version(stored.sealed) == 3
    assert stored.payload["facility"] == "残存クリニック"
    assert not PendingKeyOperation.objects.exists()


def test_rekey_members_does_a_pending_rekey_without_waiting_for_the_worker(
    member, key_store, django_capture_on_commit_callbacks
):
    erased = records_of(member)["消す健診"]
    key_store.up = False
    erase_one(member, erased, django_capture_on_commit_callbacks)
    with pytest.raises(CommandError, match="鍵保管庫に接続できないため"):
        call_command("rekey_members", stdout=StringIO())
    assert PendingKeyOperation.objects.get().attempts == 1

    key_store.up = True
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rekey_members", stdout=out)

    assert "保留中の鍵の取替え 1 件、破棄 0 件を完了" in out.getvalue()
    assert not PendingKeyOperation.objects.exists()
    assert DataKey.objects.get(member_id=member.pk).version == 2
    assert events(Action.RECORDS_REKEY_COMPLETED)[0].details == {"tries": 2}


def test_a_second_erasure_while_a_rekey_is_being_done_keeps_it_pending_for_its_own(member):
    # The try began before the second erasure asked again: its key may predate that erasure.
    PendingKeyOperation.objects.create(member_id=member.pk, since=timezone.now())
    erasures = PendingKeyOperation.objects.get().erasures
    PendingKeyOperation.objects.filter(pk=member.pk).update(erasures=erasures + 1)

    rekeying._done(member.pk, PendingKeyOperation.Kind.REKEY, erasures=erasures, by=None)

    assert PendingKeyOperation.objects.get().erasures == erasures + 1


def test_the_officer_sees_how_many_rekeys_are_pending_and_since_when_until_they_are_done(
    member,
    key_store,
    worker,
    time_passes,
    sign_in,
    privacy_officer,
    django_capture_on_commit_callbacks,
):
    erased = records_of(member)["消す健診"]
    key_store.up = False
    erase_one(member, erased, django_capture_on_commit_callbacks)
    since = timezone.localtime(PendingKeyOperation.objects.get().since)
    officer = sign_in(privacy_officer)

    page = officer.get(reverse("admin:index")).content.decode()

    assert BANNER in page
    assert f"{since:%Y}年{since.month}月{since.day}日 {since:%H:%M}から" in page
    # Counts only: nothing that names the member.
    assert str(member) not in page and member.name_kana not in page

    key_store.up = True
    time_passes()
    worker()
    assert BANNER not in officer.get(reverse("admin:index")).content.decode()


def test_only_the_privacy_officer_is_shown_the_pending_rekeys(
    member, key_store, sign_in, outsider, django_capture_on_commit_callbacks
):
    erased = records_of(member)["消す健診"]
    key_store.up = False
    erase_one(member, erased, django_capture_on_commit_callbacks)
    key_store.up = True

    page = sign_in(outsider).get(reverse("admin:index"))

    assert page.status_code == 200
    assert "鍵の再生成が完了していない" not in page.content.decode()
