"""The status page: the token opens it; guesses find nothing, alike, and are rate-limited."""

import re

import pytest
from django.urls import reverse

from complaints import status
from complaints.tests.factories import TOKEN, ComplaintFactory

pytestmark = pytest.mark.django_db


def _look(client, receipt_number, token):
    return client.post(
        reverse("complaints:status"), {"receipt_number": receipt_number, "token": token}
    )


def test_it_shows_the_state_to_the_token(client):
    complaint = ComplaintFactory()

    response = _look(client, complaint.receipt_number.lower(), TOKEN)

    assert response.status_code == 200
    assert 'id="complaint-state">受付<' in response.text
    assert complaint.what_happened not in response.text
    assert complaint.name not in response.text


def test_it_answers_a_wrong_token_as_an_unknown_receipt_number(client):
    complaint = ComplaintFactory()

    wrong_token = _look(client, complaint.receipt_number, "guess")
    unknown = _look(client, "C990101-000000", "guess")

    assert wrong_token.status_code == unknown.status_code == 200
    assert "complaint-state" not in wrong_token.text

    def scrub(response, number):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text).replace(
            number, ""
        )

    assert scrub(wrong_token, complaint.receipt_number) == scrub(unknown, "C990101-000000")


def test_it_stops_a_client_after_too_many_guesses(client):
    complaint = ComplaintFactory()
    for attempt in range(status.ATTEMPTS):
        _look(client, complaint.receipt_number, f"guess-{attempt}")

    response = _look(client, complaint.receipt_number, TOKEN)

    assert response.status_code == 429
    assert "complaint-state" not in response.text


def test_it_lets_another_client_look_meanwhile(client):
    complaint = ComplaintFactory()
    for attempt in range(status.ATTEMPTS):
        _look(client, complaint.receipt_number, f"guess-{attempt}")

    response = client.post(
        reverse("complaints:status"),
        {"receipt_number": complaint.receipt_number, "token": TOKEN},
        REMOTE_ADDR="192.0.2.7",
    )

    assert "complaint-state" in response.text
