"""The gate's fixed cost: a gated page's queries, pinned so that a regression fails.

A gated API list costs, besides DRF's token look-up, the page and its count: the gate's
opening (one statement for the user's standing, scope and the register in force) and the
access event (one `audit_append` on PostgreSQL), with the protected members among those read
(one statement: `records.Protection`, flagged for the access review). The count is one statement
whatever the restrictions. The number must not grow with the user's grants.
"""

import datetime

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from records.models import Restriction
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.scopes import grant_scope

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts


def queries_allowed() -> int:
    # Six: token, opening, count, page, the protected among the members read, the access
    # event (on SQLite the event's append is two statements: audit.trail); and four
    # SAVEPOINT and RELEASE statements, the request's transactions nested in the test's.
    return 10 if connection.vendor == "postgresql" else 11


@pytest.fixture
def api(client):
    def api(user):
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
        return client

    return api


@pytest.fixture
def restricted(register):
    """Records in 健康診査 of members with and without a 利用停止."""
    for member in MemberFactory.create_batch(3):
        RecordFactory.create_batch(2, member=member, category=register["health-checks"])
        Restriction.objects.create(
            member=member, kind=Restriction.Kind.SUSPEND_USE, since=datetime.date(2020, 1, 1)
        )
    RecordFactory.create_batch(3, category=register["health-checks"])


def test_a_gated_api_page_has_a_fixed_number_of_queries(
    api, handler_kenshin, restricted, django_assert_max_num_queries
):
    client = api(handler_kenshin)
    client.get("/api/v1/records/", {"purpose": CHECKUP})  # caches: content types, register
    with django_assert_max_num_queries(queries_allowed()):
        response = client.get("/api/v1/records/", {"purpose": CHECKUP})
    assert response.json()["count"] == 3


def test_category_and_member_grants_cost_no_more_queries(
    api, handler_kenshin, restricted, register, privacy_officer, django_assert_max_num_queries
):
    granted = MemberFactory()
    RecordFactory(member=granted, category=register["receipts"])  # not for this purpose
    RecordFactory(member=granted, category=register["health-checks"])
    grant_scope(user=handler_kenshin, member=granted, by=privacy_officer)
    grant_scope(user=handler_kenshin, member=MemberFactory(), by=privacy_officer)
    grant_scope(user=handler_kenshin, category=register["receipts"], by=privacy_officer)
    client = api(handler_kenshin)
    client.get("/api/v1/records/", {"purpose": CHECKUP})
    with django_assert_max_num_queries(queries_allowed()):
        response = client.get("/api/v1/records/", {"purpose": CHECKUP})
    assert response.json()["count"] == 4
