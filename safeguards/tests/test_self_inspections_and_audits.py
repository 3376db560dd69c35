"""Self-inspections over the four areas, 監事 audits, and their corrective actions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import Event
from audit.vocabulary import Action
from core.workflow import Incomplete, NotInTable, transition
from safeguards import organisation
from safeguards.models import (
    AuditFinding,
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionResult,
    OfficerAppointment,
    SafeguardArea,
)

from .conftest import jst

d = datetime.date


@pytest.fixture
def inspection(db):
    for area in SafeguardArea:
        ChecklistItem.objects.create(area=area, text=f"{area.label}の点検")
    return Inspection.objects.create(title="2026年度自己点検", scheduled_on=d(2026, 10, 1))


def test_it_checks_every_area_and_is_signed_off_by_the_officer(inspection, officer, handler):
    transition(inspection, Inspection.Status.IN_PROGRESS, by=officer)
    assert inspection.results.count() == 4
    inspection.results.update(result=InspectionResult.Result.COMPLIANT)
    inspection.results.filter(item__area=SafeguardArea.PHYSICAL).update(
        result=InspectionResult.Result.NONCOMPLIANT
    )

    with pytest.raises(Incomplete, match="是正措置"):
        transition(inspection, Inspection.Status.SIGNED_OFF, by=officer)
    CorrectiveAction.objects.create(
        description="入退室記録の徹底", owner=handler, due_on=d(2026, 11, 30), inspection=inspection
    )
    with pytest.raises(PermissionDenied):
        transition(inspection, Inspection.Status.SIGNED_OFF, by=handler)
    signed = transition(inspection, Inspection.Status.SIGNED_OFF, by=officer)

    assert signed.status == Inspection.Status.SIGNED_OFF
    assert signed.signed_off_by == officer
    assert Event.objects.filter(action=Action.SAFEGUARDS_INSPECTION_SIGNED_OFF).exists()


def test_it_refuses_sign_off_while_items_are_unchecked(inspection, officer):
    transition(inspection, Inspection.Status.IN_PROGRESS, by=officer)

    with pytest.raises(Incomplete, match="未点検"):
        transition(inspection, Inspection.Status.SIGNED_OFF, by=officer)


def test_an_inspection_past_its_date_and_unsigned_is_overdue(inspection):
    assert not organisation.inspection_overdue(inspection, today=d(2026, 10, 1))
    assert organisation.inspection_overdue(inspection, today=d(2026, 10, 2))


def test_a_corrective_action_is_overdue_until_done(handler, officer):
    action = CorrectiveAction.objects.create(
        description="研修資料の改訂", owner=handler, due_on=d(2026, 12, 31)
    )

    assert list(organisation.overdue_actions(today=d(2027, 1, 1))) == [action]
    transition(action, CorrectiveAction.Status.DONE, by=handler, completed_on=d(2027, 1, 2))

    assert not organisation.overdue_actions(today=d(2027, 1, 3)).exists()
    with pytest.raises(NotInTable):
        transition(action, CorrectiveAction.Status.DONE, by=handler)


def test_an_audit_closes_only_after_responses_and_follow_up(officer, handler):
    audit = AuditPlan.objects.create(
        title="令和8年度監事監査", auditor="監事A", scope="安全管理措置", planned_on=d(2026, 11, 1)
    )
    transition(audit, AuditPlan.Status.FIELDWORK, by=officer)
    transition(audit, AuditPlan.Status.REPORTED, by=officer, now=jst(2026, 11, 20, 10, 0))
    finding = AuditFinding.objects.create(audit=audit, finding="持ち出し記録の漏れ")
    action = CorrectiveAction.objects.create(
        description="持ち出し簿の点検", owner=handler, due_on=d(2026, 12, 20), audit_finding=finding
    )

    with pytest.raises(Incomplete, match="回答"):
        transition(audit, AuditPlan.Status.CLOSED, by=officer)
    finding.response = "手順を改めました"
    finding.responded_on = d(2026, 12, 1)
    finding.save()
    with pytest.raises(Incomplete, match="是正措置"):
        transition(audit, AuditPlan.Status.CLOSED, by=officer)
    transition(action, CorrectiveAction.Status.DONE, by=handler, completed_on=d(2026, 12, 10))
    closed = transition(audit, AuditPlan.Status.CLOSED, by=officer)

    assert closed.status == AuditPlan.Status.CLOSED
    assert closed.reported_on == d(2026, 11, 20)


def test_the_emergency_line_lists_those_in_office_in_order(officer, handler):
    OfficerAppointment.objects.create(
        user=handler,
        role="deputy",
        escalation_order=2,
        phone="1",
        email="deputy@example.org",
        appointed_on=d(2026, 4, 1),
    )
    OfficerAppointment.objects.create(
        user=officer,
        role="officer",
        escalation_order=1,
        phone="2",
        email="officer@example.org",
        appointed_on=d(2026, 4, 1),
    )

    assert organisation.emergency_emails(on=d(2026, 5, 1)) == [
        "officer@example.org",
        "deputy@example.org",
    ]
    assert organisation.emergency_emails(on=d(2026, 3, 31)) == []
