"""The status page: the token opens it; guesses find nothing, alike, and are rate-limited in
the shared (database) cache (core.ratelimit, whose own tests hold the window)."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from complaints.models import Complaint
from complaints.tests.factories import TOKEN, ComplaintFactory
from complaints.views import DESK
from core.testing import open_status_link

pytestmark = pytest.mark.django_db
LIMIT = DESK.limit


def _look(client, receipt_number, token, **extra):
    """The token typed or pasted on the page the status link leads to; the page it ends on."""
    url = reverse("complaints:status", kwargs={"receipt": receipt_number})
    return client.post(url, {"token": token}, follow=True, **extra)


def _without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)


def test_the_status_link_opens_the_page_with_the_state_and_no_words(client):
    complaint = ComplaintFactory()
    link = complaint.status_url(base_url="http://testserver/", token=TOKEN)
    assert link.endswith(f"/#t={TOKEN}")  # in the fragment: never sent, never logged

    response = open_status_link(client, link)

    # Redirected to the address without the token, out of the history.
    assert response.redirect_chain[-1][0] == f"/complaints/status/{complaint.receipt_number}/"
    assert 'id="complaint-state">受付<' in response.text
    assert complaint.what_happened not in response.text
    assert complaint.name not in response.text


def test_the_lookup_page_takes_a_typed_receipt_number_and_the_pasted_link(client):
    complaint = ComplaintFactory()
    link = complaint.status_url(base_url="http://testserver/", token=TOKEN)
    typed = complaint.receipt_number.lower().translate(
        str.maketrans("0123456789c-", "０１２３４５６７８９ｃ－")
    )

    response = client.post(
        reverse("complaints:lookup"), {"receipt_number": typed, "token": link}, follow=True
    )

    assert 'id="complaint-state">受付<' in response.text


def test_it_answers_a_wrong_token_as_an_unknown_receipt_number(client):
    complaint = ComplaintFactory()

    wrong_token = _look(client, complaint.receipt_number, "guess")
    unknown = _look(client, "C990101-000000", "guess")

    assert wrong_token.status_code == unknown.status_code == 200
    assert "complaint-state" not in wrong_token.text

    assert _without_csrf_token(wrong_token).replace(
        complaint.receipt_number, ""
    ) == _without_csrf_token(unknown).replace("C990101-000000", "")


def test_it_answers_a_wrong_token_exactly_as_a_number_that_does_not_exist(client):
    complaint = ComplaintFactory()
    wrong_token = _look(client, complaint.receipt_number, "guess")
    Complaint.objects.filter(pk=complaint.pk).delete()

    unknown = _look(client, complaint.receipt_number, "guess")

    assert wrong_token.status_code == unknown.status_code == 200
    assert _without_csrf_token(wrong_token) == _without_csrf_token(unknown)


def test_it_stops_a_client_after_too_many_guesses(client):
    complaint = ComplaintFactory()
    for attempt in range(LIMIT.attempts):
        _look(client, complaint.receipt_number, f"guess-{attempt}")

    response = _look(client, complaint.receipt_number, TOKEN)

    assert response.status_code == 429
    assert "complaint-state" not in response.text


def test_it_lets_another_client_look_meanwhile(client):
    complaint = ComplaintFactory()
    for attempt in range(LIMIT.attempts):
        _look(client, complaint.receipt_number, f"guess-{attempt}")

    response = _look(client, complaint.receipt_number, TOKEN, REMOTE_ADDR="192.0.2.7")

    assert "complaint-state" in response.text


def test_the_complainants_own_looks_use_no_tries(client):
    complaint = ComplaintFactory()
    for _look_again in range(LIMIT.attempts + 1):
        _look(client, complaint.receipt_number, TOKEN)

    response = _look(client, complaint.receipt_number, "guess")

    assert response.status_code == 200


@pytest.mark.postgres_only
def test_parallel_guesses_get_no_more_tries(audit_transactional_db):
    complaint = ComplaintFactory()
    guesses = 2 * LIMIT.attempts
    barrier = threading.Barrier(guesses)
    answers = []

    def guess(n):
        try:
            barrier.wait()
            answers.append(_look(Client(), complaint.receipt_number, f"guess-{n}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200] * LIMIT.attempts + [429] * LIMIT.attempts
