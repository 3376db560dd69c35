"""Disposal runs (APPI Art. 22): opened by the daily job, approved by the privacy officer (and
by a second one where the run erases 要配慮個人情報 or a member whole), carried out through the
erasure a request's 消去 uses (`disclosure.erasure.dispose`).

`open_run` counts what fell due (`retention.due`) into a run 作成済み; it never erases. The
run is carried out as its state table says: the records due on the run's day are read again
then, what a pending matter holds meanwhile is kept, and each member's records go in one
erasure (the trail's `records.record.deleted` per record, one line per member in the erasure
ledger), a former member whole (their data key destroyed). Every move is in the trail.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import trail
from audit.vocabulary import Action
from core.workflow import Change, Move, Workflow
from disclosure import erasure
from records.models import Member
from safeguards import approvals
from safeguards.roles import Role, has_role

from . import due
from .models import DisposalHold, DisposalLine, DisposalRun

State = DisposalRun.State
OFFICER = frozenset({Role.PRIVACY_OFFICER})


@transaction.atomic
def open_run(*, today: datetime.date) -> DisposalRun | None:
    """Open a run of what fell due before `today` (counts, holds), unless one is still open or
    nothing is due; the run, or None."""
    if (
        DisposalRun.objects.select_for_update()
        .filter(state__in=(State.CREATED, State.APPROVED))
        .exists()
    ):
        return None
    found = due.compute(today)
    counted = {
        c: sum(len(ids) for ids in by_member.values()) for c, by_member in found.records.items()
    }
    if not any(counted.values()) and not found.members and not found.held:
        return None
    run = DisposalRun.objects.create(
        as_of=today, four_eyes=found.four_eyes, members_due=len(found.members)
    )
    for category, count in counted.items():
        held = found.held_by_category.get(category.pk, 0)
        if count or held:
            DisposalLine.objects.create(run=run, category=category, due=count + held, held=held)
    for (reason, matter, member_id, category_id), records in sorted(
        found.held.items(), key=lambda item: tuple(str(part) for part in item[0])
    ):
        DisposalHold.objects.create(
            run=run,
            reason=reason,
            matter_id=matter,
            member_id=member_id,
            category_id=category_id,
            records=records,
        )
    trail.append(
        action=Action.RETENTION_DISPOSALRUN_OPENED,
        actor=trail.SYSTEM,
        target=run,
        details={
            "day": today.isoformat(),
            "categories": sorted(c.code for c, n in counted.items() if n),
            "records": sum(counted.values()),
            "members_due": len(found.members),
            "held": run.holds.count(),
        },
    )
    return run


def _approve(change: Change[DisposalRun]) -> None:
    if change.to == State.APPROVED:
        change.obj.approved_by, change.obj.approved_at = change.by, change.now


def _carry_out(change: Change[DisposalRun]) -> dict | None:
    if change.to != State.CARRIED_OUT:
        return None
    run = change.obj
    if run.four_eyes:
        # Four eyes: 要配慮個人情報, or a member erased whole, go on a second officer's approval.
        run.second_approval = approvals.require(
            kind=approvals.Kind.DISPOSAL,
            target=run,
            description=_("%(run)s（基準日 %(day)s）の実施") % {"run": run, "day": run.as_of},
            by=change.by,
        )
    found = due.compute(run.as_of)
    lines = {line.category_id: line for line in run.lines.all()}
    # One erasure per member (one ledger line), whatever the categories.
    by_member: dict[int, list[int]] = {}
    category_of: dict[int, int] = {}
    for category, due_by_member in found.records.items():
        if category.pk not in lines:
            continue  # fell due after the run was opened: the next run takes it
        for member_id, record_ids in due_by_member.items():
            by_member.setdefault(member_id, []).extend(record_ids)
            category_of.update(dict.fromkeys(record_ids, category.pk))
    # A former member due whole goes in one erasure, their due records with them (the run
    # erases members whole only if it listed some when opened).
    whole = set(found.members) if run.members_due else set()
    erased_by_category: dict[int, int] = {}
    members = 0
    for member in Member.objects.filter(pk__in=set(by_member) | whole).order_by("pk"):
        records = None if member.pk in whole else by_member[member.pk]
        for pk in erasure.dispose(
            member=member, records=records, by=change.by, reference=run.reference
        ):
            if pk in category_of:
                erased_by_category[category_of[pk]] = erased_by_category.get(category_of[pk], 0) + 1
        members += records is None
    for line in lines.values():
        line.erased = erased_by_category.get(line.category_id, 0)
        line.save(update_fields=["erased"])
    run.members_erased = members
    run.carried_out_by, run.carried_out_at = change.by, change.now
    return {"records": sum(erased_by_category.values()), "members_erased": members}


TRANSITIONS: dict[str, dict[str, Move]] = {
    State.CREATED: {
        State.APPROVED: Move(OFFICER, gettext_lazy("承認する")),
        State.CANCELLED: Move(OFFICER, gettext_lazy("取りやめる")),
    },
    State.APPROVED: {
        State.CARRIED_OUT: Move(OFFICER, gettext_lazy("廃棄を実施する（記録を消去する）")),
        State.CANCELLED: Move(OFFICER, gettext_lazy("取りやめる")),
    },
    State.CARRIED_OUT: {},
    State.CANCELLED: {},
}

DISPOSALS = Workflow(
    model=DisposalRun,
    table=TRANSITIONS,
    action=Action.RETENTION_DISPOSALRUN_MOVED,
    has_role=has_role,
    not_allowed=gettext_lazy("廃棄の承認と実施は個人情報取扱責任者が行います。"),
    effects=(_approve, _carry_out),
)
