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
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
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
    # access event (on SQLite the event's append is two statements: audit.trail); and six
    # SAVEPOINT and RELEASE statements, the request's three transactions (the request's, the
    # ledger's, the view's) nested in the test's.
    return 11 if connection.vendor == "postgresql" else 12


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


@pytest.mark.usefixtures("audit_transactional_db")
def test_an_admin_page_commits_once_with_its_session_saved_in_it(
    sign_in, handler_kenshin, restricted
):
    """A gated admin page commits its writes once: the session's refreshed expiry
    (SESSION_SAVE_EVERY_REQUEST) and the access event, in the request's one transaction
    (`RequestTransactionMiddleware`), not in one transaction each: every commit of a write
    waits for the disk."""
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("admin:records_record_changelist"))
    assert page.status_code == 200 and len(page.context["cl"].result_list) == 3
    statements = [query["sql"] for query in captured.captured_queries]
    assert statements.count("COMMIT") == 1

    def first(*marks: str) -> int:
        return next(i for i, sql in enumerate(statements) if any(m in sql for m in marks))

    committed = statements.index("COMMIT")
    assert first('UPDATE "django_session"') < committed
    assert first("audit_append", 'INSERT INTO "audit_event"') < committed
