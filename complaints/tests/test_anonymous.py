"""The anonymous path: no name, no address, still a receipt number and a status page."""

import pytest
from django.core import mail
from django.urls import reverse

from complaints.models import Complaint

pytestmark = pytest.mark.django_db

ANONYMOUS = {
    "anonymous": "on",
    "subject": "staff_conduct",
    "what_happened": "窓口で、他の人に聞こえる声で病名を言われた。",
}


def test_it_files_an_anonymous_complaint_without_contact_details(submit_online):
    response = submit_online(ANONYMOUS)

    complaint = Complaint.objects.get()
    assert complaint.anonymous
    assert (complaint.name, complaint.email, complaint.phone) == ("", "", "")
    assert complaint.receipt_number in response.text
    assert 'id="status-url"' in response.text
    assert mail.outbox == []


def test_it_still_asks_for_what_happened(client):
    response = client.post(
        reverse("complaints:new"), {**ANONYMOUS, "what_happened": "　", "confirm": ""}
    )

    assert "error-summary" in response.text
    assert not Complaint.objects.exists()
