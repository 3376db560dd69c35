"""Fixtures of the project-wide tests."""

from contextlib import ExitStack

import pytest
from django.db import connections, transaction
from rest_framework.authtoken.models import Token

from disclosure.tests.conftest import member, officer  # noqa: F401 (for tests/test_restore.py)
from safeguards.testing import in_good_standing
from tests import personas
from tests.personas import PURPOSES


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The register, the personas and `kenshin_and_receipt`'s two members, made once for a
    module of tests that read (the matrix: six hundred tests, each a request). The module runs
    in a transaction that its end rolls back, and each test in a savepoint of it (`db`, as in
    Django's `TestCase.setUpTestData`), so what a test writes is gone before the next."""
    with django_db_blocker.unblock(), ExitStack() as atomics:
        for alias in connections:
            atomics.enter_context(transaction.atomic(using=alias))
        register = personas.register()
        officer = personas.privacy_officer()
        users = {
            "handler_in": personas.handler_kenshin(register, officer),
            "handler_out": personas.handler_receipt(register, officer),
            "privacy_officer": in_good_standing(officer),  # a desk's filings open to them
            "auditor": personas.auditor(),
            "superuser": personas.superuser(),
        }
        yield {"users": users, "objects": personas.kenshin_and_receipt(register)}
        for alias in connections:
            transaction.set_rollback(True, using=alias)


@pytest.fixture
def as_persona(db, client, sign_in, world):
    def as_persona(persona):
        if persona == "anonymous":
            return client
        user = world["users"][persona]
        sign_in(user)
        if persona in PURPOSES:
            client.post("/admin/records/record/purpose/", {"purpose": PURPOSES[persona]})
        token = Token.objects.create(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        return client

    return as_persona
