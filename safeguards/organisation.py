"""Organisational safeguards: the emergency line, self-inspections, 監事 audits and the
corrective actions they produce. Each workflow is a table of moves and one function.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import actor_for, append
from safeguards import deadlines
from safeguards.models import (
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionResult,
    OfficerAppointment,
)
from safeguards.roles import Role, has_role


class StepRefused(Exception):
    """A workflow move that is off its table or whose conditions are not met."""


# 緊急連絡体制 (notice §2, 組織的安全管理措置)


def emergency_line(*, on: datetime.date | None = None):
    """The officer and deputies in office on `on`, in the order to call them."""
    on = on or deadlines.today()
    return (
        OfficerAppointment.objects.filter(appointed_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("user")
        .order_by("escalation_order", "role", "id")
    )


def emergency_emails(*, on: datetime.date | None = None) -> list[str]:
    return [appointment.email for appointment in emergency_line(on=on)]


def _require_officer(by) -> None:
    if not has_role(by, Role.PRIVACY_OFFICER):
        raise PermissionDenied(_("この操作は個人情報取扱責任者が行います。"))


# Self-inspections (自己点検)

INSPECTION_TRANSITIONS: dict[str, set[str]] = {
    Inspection.Status.SCHEDULED: {Inspection.Status.IN_PROGRESS},
    Inspection.Status.IN_PROGRESS: {Inspection.Status.SIGNED_OFF},
    Inspection.Status.SIGNED_OFF: set(),
}


def _move(model, obj, to: str, table: dict[str, set[str]]):
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if to not in table[locked.status]:
        raise StepRefused(
            _("「%(from)s」から「%(to)s」へは進められません。")
            % {"from": locked.get_status_display(), "to": model.Status(to).label}
        )
    return locked


@transaction.atomic
def start_inspection(*, inspection: Inspection, by) -> Inspection:
    """Begin an inspection: one result row per active checklist item, all four areas."""
    locked = _move(Inspection, inspection, Inspection.Status.IN_PROGRESS, INSPECTION_TRANSITIONS)
    items = ChecklistItem.objects.filter(active=True)
    if not items.exists():
        raise StepRefused(_("自己点検項目が登録されていません。"))
    InspectionResult.objects.bulk_create(
        InspectionResult(inspection=locked, item=item) for item in items
    )
    locked.status = Inspection.Status.IN_PROGRESS
    locked.save(update_fields=["status"])
    append(
        action="safeguards.inspection.started",
        actor=actor_for(by),
        target=locked,
        details={"items": len(items)},
    )
    return locked


@transaction.atomic
def sign_off_inspection(
    *, inspection: Inspection, by, now: datetime.datetime | None = None
) -> Inspection:
    """The privacy officer signs off an inspection whose every item has a result, and
    whose failed items each have a corrective action."""
    _require_officer(by)
    locked = _move(Inspection, inspection, Inspection.Status.SIGNED_OFF, INSPECTION_TRANSITIONS)
    results = locked.results.all()
    if results.filter(result=InspectionResult.Result.PENDING).exists():
        raise StepRefused(_("未点検の項目があります。"))
    failed = results.filter(result=InspectionResult.Result.NONCOMPLIANT).count()
    if failed and not locked.corrective_actions.exists():
        raise StepRefused(_("不適合の項目があります。是正措置を登録してください。"))
    locked.status = Inspection.Status.SIGNED_OFF
    locked.signed_off_by = by
    locked.signed_off_at = now or timezone.now()
    locked.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    append(
        action="safeguards.inspection.signed_off",
        actor=actor_for(by),
        target=locked,
        details={"noncompliant": failed},
    )
    return locked


def inspection_overdue(inspection: Inspection, *, today: datetime.date) -> bool:
    return deadlines.is_overdue(
        inspection.scheduled_on,
        today=today,
        done=inspection.status == Inspection.Status.SIGNED_OFF,
    )


# 監事 audits

AUDIT_TRANSITIONS: dict[str, set[str]] = {
    AuditPlan.Status.PLANNED: {AuditPlan.Status.FIELDWORK},
    AuditPlan.Status.FIELDWORK: {AuditPlan.Status.REPORTED},
    AuditPlan.Status.REPORTED: {AuditPlan.Status.CLOSED},
    AuditPlan.Status.CLOSED: set(),
}


@transaction.atomic
def advance_audit(
    *, audit: AuditPlan, to: str, by, today: datetime.date | None = None
) -> AuditPlan:
    """Move an audit along AUDIT_TRANSITIONS; follow-up ends only when every finding has the
    society's response and none of its corrective actions is still open."""
    _require_officer(by)
    locked = _move(AuditPlan, audit, to, AUDIT_TRANSITIONS)
    if to == AuditPlan.Status.CLOSED:
        if locked.findings.filter(responded_on__isnull=True).exists():
            raise StepRefused(_("組合の回答がない指摘事項があります。"))
        if CorrectiveAction.objects.filter(
            audit_finding__audit=locked, status=CorrectiveAction.Status.OPEN
        ).exists():
            raise StepRefused(_("対応中の是正措置があります。"))
    from_status = locked.status
    locked.status = to
    if to == AuditPlan.Status.REPORTED:
        locked.reported_on = today or deadlines.today()
    locked.save(update_fields=["status", "reported_on"])
    append(
        action="safeguards.auditplan.transition",
        actor=actor_for(by),
        target=locked,
        details={"from": from_status, "to": to},
    )
    return locked


# Corrective actions (是正措置), shared by inspections, audits and complaints


@transaction.atomic
def complete_action(
    *, action: CorrectiveAction, by, on: datetime.date | None = None
) -> CorrectiveAction:
    locked = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if locked.status != CorrectiveAction.Status.OPEN:
        raise StepRefused(_("この是正措置は対応中ではありません。"))
    locked.status = CorrectiveAction.Status.DONE
    locked.completed_on = on or deadlines.today()
    locked.save(update_fields=["status", "completed_on"])
    append(action="safeguards.correctiveaction.done", actor=actor_for(by), target=locked)
    return locked


def overdue_actions(*, today: datetime.date):
    """Open corrective actions past their due date, the oldest first."""
    return CorrectiveAction.objects.filter(
        deadlines.overdue_q("due_on", today=today), status=CorrectiveAction.Status.OPEN
    ).order_by("due_on", "id")
