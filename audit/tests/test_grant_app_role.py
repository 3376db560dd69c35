"""`manage.py grant_app_role`: the app's database role reads and appends to the trail and can
do nothing else to it, while it keeps writing every other table.

Each test on PostgreSQL creates a login role of its own on the server (roles are the whole
server's: the name is unique, so that pytest-xdist's workers never share one) and drops it
afterwards. The refusals are asserted on a connection of that role: the suite's own user is a
superuser, whom no grant limits. Transactional tests: that connection sees only commits.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import ProgrammingError, connection, transaction
from psycopg import sql

from audit.models import Event
from audit.trail import SYSTEM, append
from audit.verify import thorough
from audit.vocabulary import Action

DENIED = "42501"  # insufficient_privilege: what a missing grant, or not owning, raises
HOSTILE_NAME = 'x"; DROP TABLE audit_event; --'
_passwords: dict[str, str] = {}  # of the roles the tests made, to connect as them


@pytest.fixture
def app_role(audit_transactional_db) -> Iterator[str]:
    """A new login role with a password and nothing granted; dropped with what it was granted."""
    role = f"kumiai_app_test_{secrets.token_hex(6)}"
    yield from _login_role(role)


@pytest.fixture
def hostile_role(audit_transactional_db) -> Iterator[str]:
    """A login role whose name would end the statement if it were pasted into SQL unquoted."""
    yield from _login_role(f"{HOSTILE_NAME} {secrets.token_hex(6)}")


def _login_role(role: str) -> Iterator[str]:
    password = secrets.token_urlsafe(24)
    with connect() as server:
        server.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
    _passwords[role] = password
    try:
        yield role
    finally:
        with connect() as server:
            # DROP OWNED BY also revokes what the role was granted in this database.
            server.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
            server.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
        del _passwords[role]


def connect(role: str | None = None) -> psycopg.Connection:
    """A connection of its own to the test database, autocommit: as `role`, or as the suite's
    own user."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=role or settings["USER"],
        password=_passwords[role] if role else settings["PASSWORD"] or None,
        autocommit=True,
    )


def grant(role: str) -> str:
    out = StringIO()
    call_command("grant_app_role", role, stdout=out)
    return out.getvalue()


def refused(session: psycopg.Connection, statement: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as error:
        session.execute(statement)
    return error.value


def can(role: str, privilege: str, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [role, table, privilege])
        return cursor.fetchone()[0]


APPEND = """
    SELECT seq FROM audit_append(
        now(), 'system', NULL, 'test.event', 'test.thing', '1', '', '{"n": 1}'
    )
"""


@pytest.mark.postgres_only
def test_it_lets_the_app_role_append_to_the_trail_and_read_it(app_role):
    grant(app_role)

    with connect(app_role) as app:
        (seq,) = app.execute(APPEND).fetchone()
        rows = app.execute("SELECT seq, action FROM audit_event ORDER BY seq").fetchall()

    assert (seq, rows) == (2, [(1, Action.AUDIT_ROLE_GRANTED), (2, "test.event")])


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET target_id = '999' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
        "TRUNCATE audit_event",
        "SELECT seq FROM audit_event WHERE seq = 1 FOR UPDATE",
    ],
)
def test_it_refuses_the_app_role_any_change_to_an_event(app_role, statement):
    grant(app_role)

    with connect(app_role) as app:
        error = refused(app, statement)

    # Refused for want of a grant, before any trigger: the triggers raise restrict_violation.
    assert (error.sqlstate, str(error)) == (DENIED, "permission denied for table audit_event")
    assert list(Event.objects.values_list("seq", "target_id")) == [(1, str(_role_oid(app_role)))]


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete",
        "DROP TRIGGER audit_event_no_truncate ON audit_event",
        "CREATE TRIGGER mine BEFORE INSERT ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()",
        "DROP TABLE audit_event",
    ],
)
def test_it_refuses_the_app_role_to_switch_the_triggers_off(app_role, statement):
    grant(app_role)

    with connect(app_role) as app:
        error = refused(app, statement)

    assert error.sqlstate == DENIED
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal ORDER BY tgname"
        )
        triggers = cursor.fetchall()
    assert triggers == [("audit_event_no_truncate", "O"), ("audit_event_no_update_delete", "O")]


@pytest.mark.postgres_only
def test_it_lets_the_app_role_write_the_other_apps_tables(app_role):
    grant(app_role)

    with connect(app_role) as app:
        app.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) "
            "VALUES ('k', 'data', now())"
        )
        app.execute("UPDATE django_session SET session_data = 'changed' WHERE session_key = 'k'")
        # An id from the table's sequence, and a row the app changes and deletes.
        (type_id,) = app.execute(
            "INSERT INTO django_content_type (app_label, model) VALUES ('test', 'thing') "
            "RETURNING id"
        ).fetchone()
        app.execute("DELETE FROM django_content_type WHERE id = %s", [type_id])
        app.execute("SELECT count(*) FROM records_member").fetchone()
        sessions = app.execute("SELECT session_data FROM django_session").fetchall()

    assert sessions == [("changed",)]


@pytest.mark.postgres_only
def test_it_lets_the_app_role_open_the_gate_where_public_may_not(app_role):
    # Every gated read starts with the gate's opening (`records.gate.opening`), a function.
    with connect() as owner:
        owner.execute("REVOKE EXECUTE ON FUNCTION gate_opening FROM PUBLIC")
    try:
        grant(app_role)
        with connect(app_role) as app:
            rows = app.execute("SELECT fact FROM gate_opening(1, current_date, 'x')").fetchall()
    finally:
        with connect() as owner:
            owner.execute("GRANT EXECUTE ON FUNCTION gate_opening TO PUBLIC")

    assert ("register",) in rows


@pytest.mark.postgres_only
def test_verify_audit_works_when_the_app_connects_as_its_role(app_role, monkeypatch):
    grant(app_role)

    with _django_connected_as(app_role):
        with transaction.atomic():
            appended = append(
                action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, target_type="test.thing"
            )
        # The fast check (its own connections, an exported snapshot), not the fallback.
        monkeypatch.setattr(thorough, "in_database", _thorough_verifier_called)
        fast = StringIO()
        call_command("verify_audit", stdout=fast)
        independent = StringIO()
        call_command("verify_audit", independent=True, stdout=independent)
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            Event.objects.filter(seq=1).update(target_id="999")

    assert appended.seq == 2
    assert fast.getvalue() == independent.getvalue() == f"verified 2 events, head {appended.hash}\n"


@pytest.mark.postgres_only
def test_it_grants_the_same_when_run_twice(app_role):
    grant(app_role)
    first = _privileges(app_role)
    grant(app_role)

    assert _privileges(app_role) == first
    assert first["audit_event"] == ["INSERT", "SELECT"]
    assert first["django_session"] == ["DELETE", "INSERT", "SELECT", "UPDATE"]
    assert list(Event.objects.values_list("action", flat=True)) == [Action.AUDIT_ROLE_GRANTED] * 2


@pytest.mark.postgres_only
def test_it_takes_back_what_was_granted_on_the_trail_by_hand(app_role):
    grant(app_role)
    with connect() as server:
        server.execute(
            sql.SQL("GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_event TO {}").format(
                sql.Identifier(app_role)
            )
        )
        server.execute(
            sql.SQL("GRANT UPDATE (details) ON audit_event TO {}").format(sql.Identifier(app_role))
        )

    grant(app_role)

    assert _privileges(app_role)["audit_event"] == ["INSERT", "SELECT"]
    with connect(app_role) as app:
        assert refused(app, "UPDATE audit_event SET details = '{}'").sqlstate == DENIED


@pytest.mark.postgres_only
def test_it_records_the_grants_in_the_trail(app_role):
    output = grant(app_role)

    event = Event.objects.get()
    assert (event.action, event.actor_kind, event.actor_id) == (
        Action.AUDIT_ROLE_GRANTED,
        "system",
        None,
    )
    assert (event.target_type, event.target_id) == ("postgresql.role", str(_role_oid(app_role)))
    assert event.details == {
        "role": app_role,
        "schema": "public",
        "tables": event.details["tables"],
        "sequences": event.details["sequences"],
        "trail": 1,
    }
    assert event.details["tables"] > 50 and event.details["sequences"] > 50
    assert output.startswith(f"granted '{app_role}' SELECT, INSERT, UPDATE, DELETE on ")
    assert output.endswith("on the trail (audit_event) only SELECT and INSERT (event #1)\n")


@pytest.mark.postgres_only
def test_it_quotes_a_role_name_that_is_not_an_identifier(hostile_role):
    grant(hostile_role)

    assert can(hostile_role, "INSERT", "audit_event")
    assert not can(hostile_role, "UPDATE", "audit_event")
    assert can(hostile_role, "UPDATE", "django_session")
    # The trail keeps only a keyed digest of a name it would not take as an identifier.
    (details,) = Event.objects.values_list("details", flat=True)
    assert set(details) == {"role_digest", "schema", "tables", "sequences", "trail"}
    assert HOSTILE_NAME not in str(details)


@pytest.mark.postgres_only
@pytest.mark.django_db
@pytest.mark.parametrize("role", [HOSTILE_NAME, "no_such_role"])
def test_it_refuses_a_role_that_does_not_exist(role):
    with pytest.raises(CommandError, match=r"no role named .*: create the app's login role"):
        grant(role)

    assert not Event.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('audit_event') IS NOT NULL")
        assert cursor.fetchone() == (True,)


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_it_refuses_a_superuser_whom_no_grant_limits():
    with pytest.raises(CommandError, match="is a superuser: no grant limits it"):
        grant(connection.settings_dict["USER"])

    assert not Event.objects.exists()


@pytest.mark.postgres_only
def test_it_refuses_a_role_that_belongs_to_the_owner(app_role):
    with transaction.atomic(), connection.cursor() as cursor:
        owner = sql.Identifier(connection.settings_dict["USER"])
        cursor.execute(
            _as_string(sql.SQL("GRANT {} TO {}").format(owner, sql.Identifier(app_role)))
        )
        with pytest.raises(CommandError, match="belongs to the role that does: no grant limits"):
            grant(app_role)
        transaction.set_rollback(True)

    assert not Event.objects.exists()


@pytest.mark.postgres_only
def test_it_refuses_to_run_as_a_role_that_does_not_own_the_tables(app_role):
    grant(app_role)  # it can read the tables, but owns none of them

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_as_string(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(app_role))))
        with pytest.raises(CommandError, match=r"does not own .* the role that owns them") as error:
            grant(app_role)
        transaction.set_rollback(True)

    assert error.value.returncode == 1
    assert Event.objects.count() == 1


@pytest.mark.postgres_only
def test_it_refuses_a_role_that_could_still_change_the_trail_through_public(app_role):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("GRANT UPDATE ON audit_event TO PUBLIC")
        with pytest.raises(CommandError, match=r"still change the trail \(UPDATE on audit_event\)"):
            grant(app_role)
        # Nothing of the run is left: neither its grants nor its event.
        assert not can(app_role, "SELECT", "django_session")
        assert not Event.objects.exists()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_it_refuses_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: the suite's run on SQLite covers it")

    with pytest.raises(CommandError, match="database roles are PostgreSQL's: on sqlite") as error:
        grant("kumiai_app")

    assert error.value.returncode == 1
    assert not Event.objects.exists()


@contextmanager
def _django_connected_as(role: str) -> Iterator[None]:
    """Django's own connection as `role`, as the app's would be, then as the suite's user again."""
    settings = connection.settings_dict
    saved = settings["USER"], settings["PASSWORD"]
    connection.close()
    settings["USER"], settings["PASSWORD"] = role, _passwords[role]
    try:
        yield
    finally:
        connection.close()
        settings["USER"], settings["PASSWORD"] = saved


def _as_string(statement: sql.Composable) -> str:
    return statement.as_string(connection.connection)


def _thorough_verifier_called():
    raise AssertionError("the thorough verifier ran: the fast check did not vouch")


def _role_oid(role: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone()[0]


def _privileges(role: str) -> dict[str, list[str]]:
    """{table: its privileges} of `role` as granted, per table of the schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, array_agg(privilege_type::text ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants "
            "WHERE grantee = %s GROUP BY table_name",
            [role],
        )
        return dict(cursor.fetchall())
