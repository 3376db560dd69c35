"""The re-key a partial erasure asks for, carried through to the end (APPI Art. 35).

Until a member erased in part has a new data key (`records.sealing.rekey`), their old key
still opens the erased records' copies in every earlier backup of the main database. So the
erasure does not only try once: in its own transaction it writes a `PendingRekey` row and
queues a retry (`retry`, a task of the worker, django-tasks' database backend, as the
outbox's mail), then tries once it commits. Done at once, the row goes and the queued retry
finds nothing to do. Failed (the key store out of reach, the KEK missing) or cut short (the
process died), the row stays, the privacy officer sees it in the admin's banner
(`pending_summary`, `records.context_processors`) and the worker tries again with back-off
(`REKEY_RETRY_*`) until it is done. The trail gets the first failure
(`records.rekey.failed`) and the completion (`records.rekey.completed`, with the number of
tries), ids and an error's class only.

Every run is safe beside another and beside `manage.py rekey_members`: a re-key never leaves a
row without its key (see `sealing`), a retry claims its turn under the row's lock before it
tries, and a row goes only if no erasure asked again since the try began.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django_tasks import task

from audit.trail import SYSTEM, Actor, append
from audit.vocabulary import Action
from core import envelope
from core.schedule import backoff

from .models import Member, PendingRekey
from .sealing import rekey

log = logging.getLogger(__name__)


def _backoff(attempts: int) -> datetime.timedelta:
    return backoff(
        attempts, first=settings.REKEY_RETRY_SECONDS, most=settings.REKEY_RETRY_MAX_SECONDS
    )


def request_on_commit(member_id: int) -> None:
    """In the transaction of a partial erasure of the member's sealed records (which holds
    the member's lock): record the re-key as pending with its first retry queued, and try it
    once the erasure commits."""
    now = timezone.now()
    first_retry = now + _backoff(1)
    _pending, created = PendingRekey.objects.get_or_create(
        member_id=member_id, defaults={"since": now, "next_attempt_at": first_retry}
    )
    if not created:
        # A re-key of theirs is pending already: it must now cover this erasure too.
        PendingRekey.objects.filter(pk=member_id).update(erasures=F("erasures") + 1)
    # Queued in this transaction: it exists if and only if the erasure commits. A retry
    # already waiting further off takes this turn's place (`retry` runs only when due).
    retry.using(run_after=first_retry).enqueue(member_id)
    # The erasure stands whatever this does: a failure is counted and the retry follows.
    transaction.on_commit(partial(_try, member_id))


@task()
def retry(member_id: int) -> str:
    """Try the member's pending re-key again, if it is still pending and this is its turn;
    the next try is queued first, so that a try that dies half-way still comes round.
    Returns `done` or `pending` (the task's result, shown to the system administrator)."""
    with transaction.atomic():
        pending = PendingRekey.objects.select_for_update().filter(pk=member_id).first()
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
    """Try the member's pending re-key; False if it failed (counted on the row and logged by
    `rekey_now`, tried again at its next turn)."""
    try:
        rekey_now(member_id, pending_only=True)
    except Exception:
        return False
    return True


def rekey_now(member_id: int, *, pending_only: bool = False, by: Actor | None = None) -> int:
    """Re-key the member now (`sealing.rekey`); with `pending_only`, only if a re-key of theirs
    is pending. A pending re-key done is forgotten (`records.rekey.completed` after a failure);
    one that fails is counted and raises (`records.rekey.failed` the first time). The number of
    records sealed again."""
    erasures = PendingRekey.objects.filter(pk=member_id).values_list("erasures", flat=True).first()
    if erasures is None and pending_only:
        return 0
    try:
        count = rekey(member_id, by=by)
    except Exception as error:
        if erasures is not None:
            _failed(member_id, error)
        raise
    if erasures is not None:
        _done(member_id, erasures=erasures, by=by)
    return count


def _failed(member_id: int, error: Exception) -> None:
    # A key store out of reach is expected and said in a word; anything else with its trace.
    log.warning(
        "re-key of member %s is pending: %s",
        member_id,
        type(error).__name__,
        exc_info=not isinstance(error, envelope.KeyUnavailable),
    )
    with transaction.atomic():
        pending = PendingRekey.objects.select_for_update().filter(pk=member_id).first()
        if pending is None:
            return  # done meanwhile, by another run
        pending.attempts += 1
        pending.last_error = type(error).__name__[:100]
        pending.save(update_fields=["attempts", "last_error"])
        if pending.attempts == 1:
            append(
                action=Action.RECORDS_REKEY_FAILED,
                actor=SYSTEM,
                target_type=Member._meta.label_lower,
                target_id=member_id,
                details={"error": pending.last_error},
            )


def _done(member_id: int, *, erasures: int, by: Actor | None) -> None:
    with transaction.atomic():
        pending = PendingRekey.objects.select_for_update().filter(pk=member_id).first()
        # An erasure that asked again after the try began may have deleted its records after
        # the new key was made: its own re-key follows, and the row stays for it.
        if pending is None or pending.erasures != erasures:
            return
        pending.delete()
        if pending.attempts:
            append(
                action=Action.RECORDS_REKEY_COMPLETED,
                actor=by or SYSTEM,
                target_type=Member._meta.label_lower,
                target_id=member_id,
                details={"tries": pending.attempts + 1},
            )


def pending_members() -> list[int]:
    """The members whose re-key is pending, the longest waiting first."""
    return list(PendingRekey.objects.order_by("since").values_list("member_id", flat=True))


def pending_summary() -> dict | None:
    """How many members' re-keys are pending and since when (the oldest), or None: counts
    only, for the privacy officer's banner."""
    summary = PendingRekey.objects.aggregate(count=Count("pk"), since=Min("since"))
    return summary if summary["count"] else None
