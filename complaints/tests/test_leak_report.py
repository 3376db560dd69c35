"""A complaint that reports a suspected leak opens an incident and alerts the officer."""

import datetime

import pytest
from django.core import mail

from audit.models import Event
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


def _file(data, by):
    form = StaffComplaintForm(data)
    assert form.is_valid(), form.errors
    return services.complaint_file(
        complaint=form.save(commit=False),
        channel=form.cleaned_data["channel"],
        received_at=form.cleaned_data["received_at"],
        by=by,
    )[0]


def test_it_opens_an_incident_linked_both_ways(desk, register):
    complaint = _file({**LEAK, "category": register["health-checks"].pk}, desk)

    incident = Incident.objects.get()
    assert complaint.incident == incident
    assert list(incident.complaints.all()) == [complaint]
    assert incident.kind == Incident.Kind.LEAK
    assert incident.discovered_at == complaint.received_at
    assert list(incident.categories.all()) == [register["health-checks"]]
    assert complaint.receipt_number in incident.summary
    assert "同僚" not in incident.summary
    assert Event.objects.filter(action="safeguards.incident.reported").exists()


def test_it_alerts_the_privacy_officer(desk, privacy_officer, django_capture_on_commit_callbacks):
    OfficerAppointment.objects.create(
        user=privacy_officer,
        role=OfficerAppointment.Role.OFFICER,
        phone="03-0000-0000",
        email="officer@example.jp",
        appointed_on=datetime.date(2020, 4, 1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        _file(LEAK, desk)

    assert any(message.to == ["officer@example.jp"] for message in mail.outbox)


def test_it_opens_no_incident_for_other_subjects(desk):
    _file({**LEAK, "subject": "staff_conduct"}, desk)

    assert not Incident.objects.exists()
    assert Complaint.objects.get().incident is None
