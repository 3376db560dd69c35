"""Every function of ours works whatever the caller's search path, as a restore needs.

`pg_dump`'s output runs with an empty search path: a function that finds another object by
its bare name fails there, and with it the table whose generated column calls it (migration
0008 tells how the trail was lost that way). The round trip itself is in
`tests/test_restore.py`.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import GENESIS_HASH

pytestmark = pytest.mark.postgres_only

# The functions in our schema, less those an extension brought.
OURS = """
    SELECT p.proname, l.lanname, coalesce(p.proconfig, '{}'), p.prosqlbody IS NOT NULL,
        pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
    WHERE p.pronamespace = current_schema()::regnamespace AND NOT EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    )
    ORDER BY p.proname
"""


def _resolves_without_a_path(definition: str) -> bool:
    """Whether a SQL function's body still names only what exists under an empty search path:
    PostgreSQL checks a SQL body's every name when the function is created, so create it
    again with the path empty, and undo that."""
    with connection.cursor() as cursor:
        savepoint = transaction.savepoint()
        try:
            cursor.execute("SET LOCAL search_path = ''")
            cursor.execute("SET LOCAL check_function_bodies = on")
            cursor.execute(definition)
        except DatabaseError:  # a name it could not find
            return False
        finally:
            transaction.savepoint_rollback(savepoint)
    return True


@pytest.mark.django_db
def test_no_function_depends_on_the_callers_search_path():
    with connection.cursor() as cursor:
        cursor.execute(OURS)
        functions = cursor.fetchall()
    assert {name for name, *_ in functions} >= {
        "audit_append",
        "audit_event_bytes",
        "audit_event_canonical",
        "audit_event_refuse_change",
    }
    unsafe = [
        name
        for name, language, config, standard_body, definition in functions
        if not any(setting.startswith("search_path=") for setting in config)
        and not standard_body
        and not (language == "sql" and _resolves_without_a_path(definition))
    ]
    assert unsafe == []


@pytest.mark.django_db
def test_the_trail_appends_and_refuses_changes_under_an_empty_search_path():
    # As a restore writes: the generated column and the triggers run with nothing on the path.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = ''")
        cursor.execute(
            "SELECT seq, prev_hash FROM public.audit_append("
            "now(), 'system', NULL, 'test.event', '', '', '', '{}')"
        )
        assert cursor.fetchone() == (1, GENESIS_HASH)
        cursor.execute(
            "SELECT encode(pg_catalog.sha256(canonical), 'hex') = hash FROM public.audit_event"
        )
        assert cursor.fetchone() == (True,)
        savepoint = transaction.savepoint()
        with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
            cursor.execute("DELETE FROM public.audit_event")
        transaction.savepoint_rollback(savepoint)
