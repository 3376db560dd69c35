"""The status page: the token opens it, guesses are answered alike and rate-limited per client
(core.ratelimit, whose own tests hold the window and parallel tries)."""

import pytest

from disclosure.tests.factories import TOKEN, RequestFactory
from disclosure.views import DESK

STATUS_LIMIT = DESK.limit

pytestmark = pytest.mark.django_db


def _look(client, receipt, token, **extra):
    return client.post(f"/requests/status/{receipt}/", {"token": token}, **extra)


def test_it_opens_the_page_to_the_token(client):
    filed = RequestFactory()

    response = _look(client, filed.receipt_number, TOKEN)

    assert response.status_code == 302
    assert client.get(response.url).templates[0].name == "disclosure/status.html"


def test_it_answers_a_wrong_token_as_an_unknown_receipt_number(client):
    filed = RequestFactory()

    wrong = _look(client, filed.receipt_number, "guess")
    unknown = _look(client, "990101-000000", "guess")

    assert wrong.status_code == unknown.status_code == 200
    assert wrong.templates[0].name == unknown.templates[0].name == "filing/status_token.html"


def test_it_stops_a_client_after_too_many_guesses(client):
    filed = RequestFactory()
    for attempt in range(STATUS_LIMIT.attempts):
        _look(client, filed.receipt_number, f"guess-{attempt}")

    response = _look(client, filed.receipt_number, TOKEN)

    assert response.status_code == 429
    assert "disclosure_opened" not in client.session


def test_it_lets_another_client_look_meanwhile(client):
    filed = RequestFactory()
    for attempt in range(STATUS_LIMIT.attempts):
        _look(client, filed.receipt_number, f"guess-{attempt}")

    response = _look(client, filed.receipt_number, TOKEN, REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 302


def test_the_requesters_own_looks_use_no_tries(client):
    filed = RequestFactory()
    for _look_again in range(STATUS_LIMIT.attempts + 1):
        assert _look(client, filed.receipt_number, TOKEN).status_code == 302

    response = _look(client, filed.receipt_number, "guess")

    assert response.status_code == 200
