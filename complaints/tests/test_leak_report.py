"""A complaint that reports a suspected leak opens an incident and alerts the officer, whether
the desk took it down or the public sent it on the web form."""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from complaints import services
from complaints.forms import StaffComplaintForm
from complaints.models import Complaint
from safeguards.models import Incident, OfficerAppointment

pytestmark = pytest.mark.django_db

LEAK = {
    "channel": "phone",
    "received_at": "2026-04-01 10:00",
    "name": "漏洩心配子",
    "phone": "03-1234-5678",
    "subject": "leak",
    "what_happened": "自分の健診結果が会社の同僚に知られていた。",
}

WEB_LEAK = {
    "name": "漏洩心配子",
    "email": "shinpai@example.jp",
    "subject": "leak",
    "what_happened": "自分の健診結果が会社の同僚に知られていた。",
}


@pytest.fixture
def emergency_line(privacy_officer):
    return OfficerAppointment.objects.create(
        user=privacy_officer,
        role=OfficerAppointment.Role.OFFICER,
        phone="03-0000-0000",
        email="officer@example.jp",
        appointed_on=datetime.date(2020, 4, 1),
    )


def _file(data, by):
    form = StaffComplaintForm(data)
    assert form.is_valid(), form.errors
    return services.complaint_file(
        complaint=form.save(commit=False),
        channel=form.cleaned_data["channel"],
        received_at=form.cleaned_data["received_at"],
        by=by,
        base_url="http://testserver/",
    )[0]


def test_it_opens_an_incident_linked_both_ways(desk, register):
    complaint = _file({**LEAK, "category": register["health-checks"].pk}, desk)

    incident = Incident.objects.get()
    assert complaint.incident == incident
    assert list(incident.complaints.all()) == [complaint]
    assert incident.kind == Incident.Kind.LEAK
    assert incident.source == Incident.Source.COMPLAINT
    assert incident.reported_by == desk
    assert incident.discovered_at == complaint.received_at
    assert list(incident.categories.all()) == [register["health-checks"]]
    assert complaint.receipt_number in incident.summary
    assert "同僚" not in incident.summary
    event = Event.objects.get(action=Action.SAFEGUARDS_INCIDENT_REPORTED)
    assert (event.actor_kind, event.actor_id) == ("user", desk.pk)


def test_it_alerts_the_privacy_officer(desk, emergency_line, run_worker):
    _file(LEAK, desk)
    run_worker()

    assert any(message.to == ["officer@example.jp"] for message in mail.outbox)


def test_a_leak_reported_on_the_web_form_opens_an_incident_from_the_public(
    submit_online, emergency_line, run_worker
):
    response = submit_online(WEB_LEAK)
    run_worker()

    complaint = Complaint.objects.get()
    assert complaint.receipt_number in response.text
    incident = Incident.objects.get()
    assert complaint.incident == incident
    assert list(incident.complaints.all()) == [complaint]
    assert (incident.source, incident.reported_by) == (Incident.Source.COMPLAINT, None)
    assert incident.steps.get().by is None
    officer_mail = [message for message in mail.outbox if message.to == ["officer@example.jp"]]
    assert len(officer_mail) == 1
    assert "同僚" not in officer_mail[0].body


def test_the_web_leak_report_is_audited_as_the_public_with_no_personal_values(submit_online):
    submit_online(WEB_LEAK)

    received = (Action.COMPLAINTS_COMPLAINT_RECEIVED, Action.SAFEGUARDS_INCIDENT_REPORTED)
    events = Event.objects.filter(action__in=received)
    assert sorted(e.action for e in events) == list(received)
    assert {(e.actor_kind, e.actor_id) for e in events} == {("public", None)}
    trail = json.dumps([e.details for e in events], ensure_ascii=False)
    for value in WEB_LEAK.values():
        if value != "leak":
            assert value not in trail
    received = events.get(action=Action.COMPLAINTS_COMPLAINT_RECEIVED)
    assert received.details["incident_id"] == Incident.objects.get().pk


def test_the_incident_page_links_the_complaint_and_shows_none_of_its_words(
    submit_online, sign_in, privacy_officer
):
    submit_online(WEB_LEAK)
    complaint = Complaint.objects.get()
    client = sign_in(privacy_officer)

    response = client.get(reverse("admin:safeguards_incident_change", args=[complaint.incident_id]))

    assert response.status_code == 200
    link = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert f'<a href="{link}">{complaint.receipt_number}</a>' in response.text
    assert "申出人（苦情の申出）" in response.text
    assert "同僚" not in response.text
    assert WEB_LEAK["email"] not in response.text


def test_the_complaint_page_links_the_incident(submit_online, sign_in, desk):
    submit_online(WEB_LEAK)
    complaint = Complaint.objects.get()
    client = sign_in(desk)

    response = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    link = reverse("admin:safeguards_incident_change", args=[complaint.incident_id])
    assert link in response.text


def test_it_opens_no_incident_for_other_subjects(desk):
    _file({**LEAK, "subject": "staff_conduct"}, desk)

    assert not Incident.objects.exists()
    assert Complaint.objects.get().incident is None
