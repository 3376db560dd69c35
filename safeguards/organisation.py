"""Organisational safeguards: the emergency line, self-inspections, 監事 audits and the
corrective actions they produce. Inspections, audits and corrective actions are workflows
declared with `core.workflow`: their tables below, moved by its one `transition`.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.vocabulary import Action
from core import deadlines
from core.workflow import Change, Move, Workflow
from safeguards.models import (
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionResult,
    OfficerAppointment,
)
from safeguards.roles import Role, has_role

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


OFFICER = frozenset({Role.PRIVACY_OFFICER})
OFFICER_ONLY = gettext_lazy("この操作は個人情報取扱責任者が行います。")


def _keeps(register: str):
    """Whoever keeps the register (the privacy officer's role, by its permission)."""
    return lambda user, row: user.has_perm(f"safeguards.change_{register}")


# Self-inspections (自己点検)


def _inspection_ready(change: Change[Inspection]) -> str | None:
    starting = change.to == Inspection.Status.IN_PROGRESS
    if starting and not ChecklistItem.objects.filter(active=True).exists():
        return _("自己点検項目が登録されていません。")
    if change.to == Inspection.Status.SIGNED_OFF:
        results = change.obj.results.all()
        if results.filter(result=InspectionResult.Result.PENDING).exists():
            return _("未点検の項目があります。")
        failed = results.filter(result=InspectionResult.Result.NONCOMPLIANT)
        if failed.exists() and not change.obj.corrective_actions.exists():
            return _("不適合の項目があります。是正措置を登録してください。")
    return None


def _conduct_inspection(change: Change[Inspection]) -> dict[str, int]:
    """Starting lays out one result per active checklist item, all four areas; signing off
    names the officer."""
    inspection = change.obj
    if change.to == Inspection.Status.IN_PROGRESS:
        items = ChecklistItem.objects.filter(active=True)
        created = InspectionResult.objects.bulk_create(
            InspectionResult(inspection=inspection, item=item) for item in items
        )
        return {"items": len(created)}
    inspection.signed_off_by = change.by
    inspection.signed_off_at = change.now
    failed = inspection.results.filter(result=InspectionResult.Result.NONCOMPLIANT).count()
    return {"noncompliant": failed}


INSPECTION_TRANSITIONS: dict[str, dict[str, Move]] = {
    Inspection.Status.SCHEDULED: {
        Inspection.Status.IN_PROGRESS: Move(
            _keeps("inspection"),
            gettext_lazy("点検を開始する（点検項目を展開）"),
            action=Action.SAFEGUARDS_INSPECTION_STARTED,
        )
    },
    Inspection.Status.IN_PROGRESS: {
        Inspection.Status.SIGNED_OFF: Move(
            OFFICER,
            gettext_lazy("責任者として確認する"),
            takes=frozenset({"now"}),
            action=Action.SAFEGUARDS_INSPECTION_SIGNED_OFF,
        )
    },
    Inspection.Status.SIGNED_OFF: {},
}

INSPECTIONS = Workflow(
    model=Inspection,
    state_field="status",
    table=INSPECTION_TRANSITIONS,
    has_role=has_role,
    not_allowed=OFFICER_ONLY,
    guards=(_inspection_ready,),
    effects=(_conduct_inspection,),
)


def inspection_overdue(inspection: Inspection, *, today: datetime.date) -> bool:
    return deadlines.is_overdue(
        inspection.scheduled_on,
        today=today,
        done=inspection.status == Inspection.Status.SIGNED_OFF,
    )


# 監事 audits


def _followed_up(change: Change[AuditPlan]) -> str | None:
    """Follow-up ends only when every finding has the society's response and none of its
    corrective actions is still open."""
    if change.to != AuditPlan.Status.CLOSED:
        return None
    if change.obj.findings.filter(responded_on__isnull=True).exists():
        return _("組合の回答がない指摘事項があります。")
    if CorrectiveAction.objects.filter(
        audit_finding__audit=change.obj, status=CorrectiveAction.Status.OPEN
    ).exists():
        return _("対応中の是正措置があります。")
    return None


def _date_report(change: Change[AuditPlan]) -> None:
    if change.to == AuditPlan.Status.REPORTED:
        change.obj.reported_on = deadlines.local_date(change.now)


def _audit_move(label) -> Move:
    return Move(OFFICER, label, takes=frozenset({"now"}))


AUDIT_TRANSITIONS: dict[str, dict[str, Move]] = {
    AuditPlan.Status.PLANNED: {
        AuditPlan.Status.FIELDWORK: _audit_move(gettext_lazy("監査実施中にする"))
    },
    AuditPlan.Status.FIELDWORK: {
        AuditPlan.Status.REPORTED: _audit_move(gettext_lazy("監査報告を受けた"))
    },
    AuditPlan.Status.REPORTED: {
        AuditPlan.Status.CLOSED: _audit_move(gettext_lazy("フォローアップを完了する"))
    },
    AuditPlan.Status.CLOSED: {},
}

AUDITS = Workflow(
    model=AuditPlan,
    state_field="status",
    table=AUDIT_TRANSITIONS,
    action=Action.SAFEGUARDS_AUDITPLAN_MOVED,
    has_role=has_role,
    not_allowed=OFFICER_ONLY,
    guards=(_followed_up,),
    effects=(_date_report,),
)


# Corrective actions (是正措置), shared by inspections, audits and complaints


def _owner_or_keeper(user, action: CorrectiveAction) -> bool:
    # The owner reports their own action done; whoever keeps the register may too.
    return user.pk == action.owner_id or _keeps("correctiveaction")(user, action)


def _date_completion(change: Change[CorrectiveAction]) -> None:
    if change.to == CorrectiveAction.Status.DONE and change.obj.completed_on is None:
        change.obj.completed_on = deadlines.local_date(change.now)


ACTION_TRANSITIONS: dict[str, dict[str, Move]] = {
    CorrectiveAction.Status.OPEN: {
        CorrectiveAction.Status.DONE: Move(
            _owner_or_keeper,
            gettext_lazy("完了にする"),
            sets=frozenset({"completed_on"}),
            action=Action.SAFEGUARDS_CORRECTIVEACTION_DONE,
        ),
        CorrectiveAction.Status.CANCELLED: Move(
            _keeps("correctiveaction"),
            gettext_lazy("取り消す"),
            action=Action.SAFEGUARDS_CORRECTIVEACTION_CANCELLED,
        ),
    },
    CorrectiveAction.Status.DONE: {},
    CorrectiveAction.Status.CANCELLED: {},
}

CORRECTIVE_ACTIONS = Workflow(
    model=CorrectiveAction,
    state_field="status",
    table=ACTION_TRANSITIONS,
    not_allowed=gettext_lazy("この是正措置の担当者か、個人情報取扱責任者が行います。"),
    effects=(_date_completion,),
)


def overdue_actions(*, today: datetime.date):
    """Open corrective actions past their due date, the oldest first."""
    return CorrectiveAction.objects.filter(
        deadlines.overdue_q("due_on", today=today), status=CorrectiveAction.Status.OPEN
    ).order_by("due_on", "id")
