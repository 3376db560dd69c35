"""An incident from the report to its closing: alert, conditions of each move, timeline,
audit. The table itself (who may, off-table moves, stale reads, the race) runs in
tests/test_workflows.py."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Event
from audit.trail import PUBLIC
from audit.vocabulary import Action
from core.workflow import Incomplete, transition
from purposes.tests.factories import CategoryFactory
from safeguards import incidents
from safeguards.models import Incident, IncidentStep, OfficerAppointment

from .conftest import jst

State = Incident.State


@pytest.fixture
def emergency_line(officer):
    return OfficerAppointment.objects.create(
        user=officer,
        role=OfficerAppointment.Role.OFFICER,
        phone="03-0000-0000",
        email="officer@example.org",
        appointed_on=datetime.date(2026, 4, 1),
    )


def report(by, source=Incident.Source.STAFF, **fields) -> Incident:
    incident = Incident(
        kind=Incident.Kind.LOSS,
        summary="USBメモリの紛失",
        discovered_at=jst(2026, 12, 30, 23, 30),
        **fields,
    )
    return incidents.report_incident(incident=incident, by=by, source=source)


def test_any_staff_member_reports_and_the_officer_is_mailed(handler, emergency_line, run_worker):
    incident = report(handler)
    run_worker()

    assert incident.state == State.REPORTED
    assert mail.outbox[0].to == ["officer@example.org"]
    assert "漏えい等事案" in mail.outbox[0].subject
    assert incident.steps.get().kind == IncidentStep.Kind.REPORTED
    assert Event.objects.filter(action=Action.SAFEGUARDS_INCIDENT_REPORTED).count() == 1


def test_a_complaint_from_the_public_reports_without_a_staff_member(emergency_line, run_worker):
    incident = report(PUBLIC, source=Incident.Source.COMPLAINT)
    run_worker()

    assert incident.reported_by is None
    assert incident.steps.get().by is None
    assert mail.outbox[0].to == ["officer@example.org"]
    event = Event.objects.get(action=Action.SAFEGUARDS_INCIDENT_REPORTED)
    assert (event.actor_kind, event.actor_id) == ("public", None)
    assert event.details == {"kind": "loss", "source": "complaint"}


def test_a_staff_report_needs_the_staff_member(db, run_worker):
    with pytest.raises(ValidationError):
        report(None)
    run_worker()

    assert not Incident.objects.exists()
    assert not Event.objects.filter(action=Action.SAFEGUARDS_INCIDENT_REPORTED).exists()
    assert mail.outbox == []


def test_a_reportable_incident_goes_to_the_commission_and_is_closed(officer, handler):
    incident = report(handler, persons_affected=1, unlawful_purpose_suspected=True)
    incident.categories.add(CategoryFactory(code="receipts", sensitive=True))

    transition(incident, State.ASSESSING, by=officer)
    transition(incident, State.PRELIMINARY_REPORTED, by=officer)
    for name in incidents.FINAL_REPORT_FIELDS:
        if name != "persons_affected":
            setattr(incident, name, "記載")
    incidents.record_assessment(incident=incident, by=officer, fields=["cause"])
    transition(incident, State.FINAL_REPORTED, by=officer)
    incidents.record_persons_notice(incident=incident, by=officer)
    closed = transition(incident, State.CLOSED, by=officer)

    assert closed.state == State.CLOSED
    assert closed.preliminary_reported_at and closed.final_reported_at
    kinds = list(closed.steps.values_list("kind", flat=True))
    assert kinds.count(IncidentStep.Kind.TRANSITION) == 4
    assert IncidentStep.Kind.PERSONS_NOTIFIED in kinds
    assert Event.objects.filter(action=Action.SAFEGUARDS_INCIDENT_MOVED).count() == 4


def test_it_refuses_to_report_what_need_not_be_reported(officer, handler):
    incident = report(handler, persons_affected=10)
    transition(incident, State.ASSESSING, by=officer)

    with pytest.raises(Incomplete, match="報告の対象ではありません"):
        transition(incident, State.PRELIMINARY_REPORTED, by=officer)
    closed = transition(incident, State.CLOSED, by=officer)

    assert closed.state == State.CLOSED


def test_it_refuses_to_close_a_reportable_incident_unreported(officer, handler):
    incident = report(handler, persons_affected=1001)
    transition(incident, State.ASSESSING, by=officer)

    with pytest.raises(Incomplete, match="委員会への報告"):
        transition(incident, State.CLOSED, by=officer)


def test_the_final_report_needs_the_items_of_rules_article_8(officer, handler):
    incident = report(handler, persons_affected=1001)
    transition(incident, State.ASSESSING, by=officer)

    with pytest.raises(Incomplete, match="原因"):
        transition(incident, State.FINAL_REPORTED, by=officer)


def test_closing_needs_the_notice_to_the_persons(officer, handler):
    incident = report(handler, persons_affected=1001)
    for name in incidents.FINAL_REPORT_FIELDS:
        if name != "persons_affected":
            setattr(incident, name, "記載")
    incident.save()
    transition(incident, State.ASSESSING, by=officer)
    transition(incident, State.FINAL_REPORTED, by=officer)

    with pytest.raises(Incomplete, match="本人への通知"):
        transition(incident, State.CLOSED, by=officer)


def test_a_handler_reports_through_the_short_admin_form(handler_client, handler):
    response = handler_client.post(
        reverse("admin:safeguards_incident_add"),
        {
            "kind": "leak",
            "summary": "メールの誤送信",
            "discovered_at_0": "2026-12-30",
            "discovered_at_1": "23:30",
        },
    )

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.reported_by == handler
    assert incident.state == State.REPORTED


def test_the_admin_shows_open_incidents_in_a_banner(officer_client, handler):
    report(handler)

    response = officer_client.get(reverse("admin:index"))

    assert "対応中の漏えい等事案が1件あります" in response.content.decode()


def test_the_officer_sees_the_deadlines_and_the_overdue_filter(officer_client, handler):
    incident = report(handler, persons_affected=1001)

    listing = officer_client.get(reverse("admin:safeguards_incident_changelist"))
    overdue = officer_client.get(reverse("admin:safeguards_incident_changelist") + "?overdue=yes")
    page = officer_client.get(reverse("admin:safeguards_incident_change", args=[incident.pk]))

    assert listing.status_code == overdue.status_code == page.status_code == 200
    assert "2027-01-29" in page.content.decode() or "2027年1月29日" in page.content.decode()


def test_mynumber_act_art29_4_a_my_number_leak_must_be_reported_and_notified(officer, handler):
    incident = report(handler, persons_affected=150, my_number_involved=True, my_number_persons=150)
    transition(incident, State.ASSESSING, by=officer)

    with pytest.raises(Incomplete, match="番号法第29条の4第1項"):
        transition(incident, State.CLOSED, by=officer)
    for name in incidents.FINAL_REPORT_FIELDS:
        if name != "persons_affected":
            setattr(incident, name, "記載")
    incident.save()
    transition(incident, State.FINAL_REPORTED, by=officer)
    with pytest.raises(Incomplete, match="番号法第29条の4第2項"):
        transition(incident, State.CLOSED, by=officer)


def test_mynumber_act_art29_4_the_officer_answers_the_questions_and_sees_the_consequence(
    officer_client, handler
):
    incident = report(handler)
    url = reverse("admin:safeguards_incident_change", args=[incident.pk])
    form = officer_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, False) and name in form.fields and name != "categories"
    }
    data |= {
        "discovered_at_0": "2026-12-30",
        "discovered_at_1": "23:30",
        "my_number_involved": "on",
        "my_number_network_system": "on",
        "my_number_persons": "3",
        "IncidentStep_set-TOTAL_FORMS": "0",
        "IncidentStep_set-INITIAL_FORMS": "0",
    }
    for prefix in ("steps", "incidentstep_set"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = officer_client.post(url, data, follow=True)

    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.my_number_involved and incident.my_number_network_system
    page = officer_client.get(url).text
    assert "特定個人情報の評価（番号法第29条の4）" in page
    assert "情報提供ネットワークシステム等（規則第2条第1号）" in page
    assert "本人への通知が必要です（番号法第29条の4第1項・第2項）" in page
