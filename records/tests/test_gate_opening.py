"""The gate's opening on PostgreSQL: the function `gate_opening`, made from the opening's own
statement after every migrate, answers as the statement does (`records.gate.opening`)."""

import datetime

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from records.gate import opening
from records.tests.factories import MemberFactory
from safeguards.roles import Role
from safeguards.scopes import grant_scope

pytestmark = pytest.mark.postgres_only

FUNCTION = "SELECT fact, id, day, digest FROM gate_opening(%s, %s, %s)"


def _both(user, on: datetime.date) -> tuple[list, list]:
    group = str(Role.MY_NUMBER_HANDLER)
    with connection.cursor() as cursor:
        cursor.execute(opening._OPENING, {"user": user.pk, "on": on, "my_number_group": group})
        statement = sorted(cursor.fetchall(), key=repr)
        cursor.execute(FUNCTION, [user.pk, on, group])
        function = sorted(cursor.fetchall(), key=repr)
    return statement, function


def test_it_answers_as_the_statement_for_every_kind_of_grant(
    register, handler_kenshin, privacy_officer, outsider
):
    grant_scope(user=handler_kenshin, member=MemberFactory(), by=privacy_officer)

    for user in (handler_kenshin, privacy_officer, outsider):
        for on in (datetime.date(2000, 1, 1), datetime.date.today()):
            statement, function = _both(user, on)
            assert function == statement
    assert {fact for fact, *_ in _both(handler_kenshin, datetime.date.today())[1]} >= {
        "pledge",
        "training",
        "category",
        "member",
        "register",
    }


def test_migrate_makes_it_again_from_the_statement(register, handler_kenshin):
    with connection.cursor() as cursor:  # a function left behind by an older statement
        cursor.execute(
            "CREATE OR REPLACE FUNCTION gate_opening(bigint, date, text)"
            " RETURNS TABLE (fact text, id bigint, day date, digest text)"
            " LANGUAGE sql AS $$ SELECT 'stale', NULL::bigint, NULL::date, NULL::text $$"
        )

    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

    statement, function = _both(handler_kenshin, datetime.date.today())
    assert function == statement
    assert "stale" not in {fact for fact, *_ in function}
