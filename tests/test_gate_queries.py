"""The gate's fixed cost: a gated page's queries, pinned so that a regression fails.

A gated API list costs, besides DRF's token look-up, the page and its count: the gate's
opening (one statement for the user's standing, scope and the register in force) and the
access event (one `audit_append` on PostgreSQL). Whether each member read is protected
(`records.Protection`, flagged for the access review) is read with the page, in its own
statement. The count is one statement whatever the restrictions. The key store is asked once
for the page's data keys, in its own database. The number must not grow with the user's
grants.
"""

import datetime

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from audit.models import Event
from audit.vocabulary import Action
from records import keystore
from records.models import Protection, Restriction
from records.services import protection_set
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.scopes import grant_scope

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts


def queries_allowed() -> int:
    # Five: token, opening, count, page (the protected among its members read with it), the
    # access event (on SQLite the event's append is two statements: audit.trail); and four
    # SAVEPOINT and RELEASE statements, the request's transactions nested in the test's.
    return 9 if connection.vendor == "postgresql" else 10


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
    with (
        django_assert_max_num_queries(queries_allowed()),
        django_assert_max_num_queries(1, connection=connections[keystore.ALIAS]),
    ):
        response = client.get("/api/v1/records/", {"purpose": CHECKUP})
    assert response.json()["count"] == 3


def test_dv_guidance_a_protected_member_on_the_page_is_flagged_by_the_pages_own_statement(
    api, handler_kenshin, restricted, register, privacy_officer, django_assert_max_num_queries
):
    protected = MemberFactory()
    RecordFactory(member=protected, category=register["health-checks"])
    protection_set(
        member=protected,
        basis=Protection.Basis.DV,
        since=datetime.date(2020, 1, 1),
        persons="夫",
        by=privacy_officer,
    )
    client = api(handler_kenshin)
    client.get("/api/v1/records/", {"purpose": CHECKUP})
    with django_assert_max_num_queries(queries_allowed()):
        response = client.get("/api/v1/records/", {"purpose": CHECKUP})
    assert response.json()["count"] == 4
    read = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).latest("seq")
    assert read.details["protected"] == [protected.pk]
    assert protected.pk in read.details["members"] and len(read.details["members"]) == 4


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
