"""The key operations an erasure asks for, carried through to the end (APPI Art. 35).

Two of them. After a partial erasure of sealed records, a re-key (`records.sealing.rekey`): until
the member has a new data key, their old one still opens the erased records' copies in every
earlier backup of the main database. After an erasure of the whole member, the destruction of
their data key (`records.keystore.destroy`): until it is gone, it still opens every sealed
value of theirs in every such backup. So the erasure does not only try once: in its own
transaction it writes a `PendingKeyOperation` row (a destruction replaces a re-key of theirs
still pending: it covers that erasure too) and queues a retry (`retry`, a task of the worker,
django-tasks' database backend, as the outbox's mail), then tries once it commits. Done at
once, the row goes and the queued retry finds nothing to do. Failed (the key store out of
reach, the KEK missing) or cut short (the process died), the row stays, the privacy officer
sees it in the admin's banner and the auditor on the trail's report (`pending_summary`), and
the worker tries again with back-off (`REKEY_RETRY_*`) until it is done. The trail gets the
first failure (`records.rekey.failed`, `records.keydestruction.failed`) and the completion
(`records.rekey.completed`, `records.keydestruction.completed`, with the number of tries), ids
and an error's class only. (The module keeps the name it had when it held re-keys only: the
worker's queued tries name `records.rekeying.retry`.)

Every run is safe beside another and beside `manage.py rekey_members`: a re-key never leaves a
row without its key (see `sealing`), destroying a key already gone is done, a retry claims its
turn under the row's lock before it tries, and a row goes only if it still asks for the
operation tried and no erasure asked again since the try began.
"""

import datetime
import logging
from functools import partial
from typing import TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django_tasks import task

from audit.trail import SYSTEM, Actor, append
from audit.vocabulary import Action
from core import envelope
from core.schedule import backoff

from . import keystore
from .models import Member, PendingKeyOperation
from .sealing import rekey

log = logging.getLogger(__name__)
Kind = PendingKeyOperation.Kind

FAILED = {
    Kind.REKEY: Action.RECORDS_REKEY_FAILED,
    Kind.DESTROY: Action.RECORDS_KEYDESTRUCTION_FAILED,
}
COMPLETED = {
    Kind.REKEY: Action.RECORDS_REKEY_COMPLETED,
    Kind.DESTROY: Action.RECORDS_KEYDESTRUCTION_COMPLETED,
}


def _backoff(attempts: int) -> datetime.timedelta:
    return backoff(
        attempts, first=settings.REKEY_RETRY_SECONDS, most=settings.REKEY_RETRY_MAX_SECONDS
    )


def rekey_on_commit(member_id: int) -> None:
    """In the transaction of a partial erasure of the member's sealed records (which holds
    the member's lock): record the re-key as pending with its first retry queued, and try it
    once the erasure commits."""
    now = timezone.now()
    first_retry = now + _backoff(1)
    _pending, created = PendingKeyOperation.objects.get_or_create(
        member_id=member_id, defaults={"since": now, "next_attempt_at": first_retry}
    )
    if not created:
        # A re-key of theirs is pending already: it must now cover this erasure too.
        PendingKeyOperation.objects.filter(pk=member_id).update(erasures=F("erasures") + 1)
    _queue(member_id, first_retry)


def destroy_on_commit(member_id: int) -> None:
    """In the transaction of an erasure of the whole member (or of its replay on a restored
    copy): record the destruction of their data key as pending with its first retry queued,
    in place of a re-key of theirs still pending (since when it is asked stays the older), and
    try it once the erasure commits. A rolled-back erasure finds its records readable."""
    now = timezone.now()
    first_retry = now + _backoff(1)
    PendingKeyOperation.objects.update_or_create(
        member_id=member_id,
        defaults={
            "kind": Kind.DESTROY,
            "attempts": 0,
            "last_error": "",
            "next_attempt_at": first_retry,
        },
        create_defaults={"kind": Kind.DESTROY, "since": now, "next_attempt_at": first_retry},
    )
    _queue(member_id, first_retry)


def _queue(member_id: int, first_retry: datetime.datetime) -> None:
    # Queued in the erasure's transaction: it exists if and only if the erasure commits. A
    # retry already waiting further off takes this turn's place (`retry` runs only when due).
    retry.using(run_after=first_retry).enqueue(member_id)
    # The erasure stands whatever this does: a failure is counted and the retry follows.
    transaction.on_commit(partial(_try, member_id))


@task()
def retry(member_id: int) -> str:
    """Try the member's pending key operation again, if it is still pending and this is its
    turn; the next try is queued first, so that a try that dies half-way still comes round.
    Returns `done` or `pending` (the task's result, shown to the system administrator)."""
    with transaction.atomic():
        pending = PendingKeyOperation.objects.select_for_update().filter(pk=member_id).first()
        if pending is None:
            return "done"
        now = timezone.now()
        if pending.next_attempt_at is not None and pending.next_attempt_at > now:
            return "pending"  # not its turn: the retry queued for then tries
        pending.next_attempt_at = now + _backoff(pending.attempts + 1)
        pending.save(update_fields=["next_attempt_at"])
        retry.using(run_after=pending.next_attempt_at).enqueue(member_id)
    return "done" if _try(member_id) else "pending"


def _try(member_id: int) -> bool:
    """Try the member's pending key operation; False if it failed (counted on the row and
    logged by `carry_out`, tried again at its next turn)."""
    try:
        carry_out(member_id, pending_only=True)
    except Exception:
        return False
    return True


def carry_out(member_id: int, *, pending_only: bool = False, by: Actor | None = None) -> int:
    """Do the member's pending key operation now: destroy their data key (one already gone is
    done), or re-key them (`sealing.rekey`). With none pending, re-key them by hand, or with
    `pending_only` do nothing. A pending operation done is forgotten (its completion in the
    trail after a failure); one that fails is counted and raises (its failure in the trail the
    first time). The number of records sealed again (none for a destruction)."""
    pending = (
        PendingKeyOperation.objects.filter(pk=member_id).values_list("kind", "erasures").first()
    )
    if pending is None and pending_only:
        return 0
    kind = Kind(pending[0]) if pending else Kind.REKEY
    try:
        if kind == Kind.DESTROY:
            keystore.destroy([member_id])
            count = 0
        else:
            count = rekey(member_id, by=by)
    except Exception as error:
        if pending is not None:
            _failed(member_id, kind, error)
        raise
    if pending is not None:
        _done(member_id, kind, erasures=pending[1], by=by)
    return count


def _failed(member_id: int, kind: Kind, error: Exception) -> None:
    # A key store out of reach is expected and said in a word; anything else with its trace.
    log.warning(
        "key %s of member %s is pending: %s",
        kind.value,
        member_id,
        type(error).__name__,
        exc_info=not isinstance(error, envelope.KeyUnavailable),
    )
    with transaction.atomic():
        pending = PendingKeyOperation.objects.select_for_update().filter(pk=member_id).first()
        if pending is None or pending.kind != kind:
            return  # done meanwhile by another run, or replaced by a destruction
        pending.attempts += 1
        pending.last_error = type(error).__name__[:100]
        pending.save(update_fields=["attempts", "last_error"])
        if pending.attempts == 1:
            append(
                action=FAILED[kind],
                actor=SYSTEM,
                target_type=Member._meta.label_lower,
                target_id=member_id,
                details={"error": pending.last_error},
            )


def _done(member_id: int, kind: Kind, *, erasures: int, by: Actor | None) -> None:
    with transaction.atomic():
        pending = PendingKeyOperation.objects.select_for_update().filter(pk=member_id).first()
        # An erasure that asked again after the try began may have deleted its records after
        # the new key was made, or erased the member whole: its own operation follows, and the
        # row stays for it.
        if pending is None or pending.kind != kind or pending.erasures != erasures:
            return
        pending.delete()
        if pending.attempts:
            append(
                action=COMPLETED[kind],
                actor=by or SYSTEM,
                target_type=Member._meta.label_lower,
                target_id=member_id,
                details={"tries": pending.attempts + 1},
            )


def pending() -> list[tuple[int, str]]:
    """The members whose key operation is pending, with its kind, the longest waiting first."""
    return list(
        PendingKeyOperation.objects.order_by("since", "member_id").values_list("member_id", "kind")
    )


class PendingSummary(TypedDict):
    kind: str
    count: int
    since: datetime.datetime


def pending_summary() -> list[PendingSummary]:
    """Per kind of operation pending (re-keys first), how many members and since when (the
    oldest), none where nothing is pending: counts only, for the privacy officer's banner and
    the auditor's report."""
    return list(
        PendingKeyOperation.objects.values("kind")
        .annotate(count=Count("pk"), since=Min("since"))
        .order_by("-kind")  # rekey before destroy
    )
