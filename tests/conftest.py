"""Fixtures of the project-wide tests."""

import pytest
from rest_framework.authtoken.models import Token

from disclosure.tests.conftest import member, officer  # noqa: F401 (for tests/test_restore.py)
from tests.personas import PURPOSES


@pytest.fixture
def as_persona(client, sign_in, request, kenshin_and_receipt):
    def as_persona(persona):
        users = {
            "handler_in": "handler_kenshin",
            "handler_out": "handler_receipt",
            "privacy_officer": "bare_officer",  # in good standing: a desk's filings open
            "auditor": "auditor",
            "superuser": "superuser",
        }
        if persona == "anonymous":
            return client
        user = request.getfixturevalue(users[persona])
        sign_in(user)
        if persona in PURPOSES:
            client.post("/admin/records/record/purpose/", {"purpose": PURPOSES[persona]})
        token = Token.objects.create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        return client

    return as_persona
