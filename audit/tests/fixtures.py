"""Test support for the audit trail: tampering as an intruder would, and wiping after a test.

Other apps load the fixtures with `pytest_plugins = ["audit.tests.fixtures"]` in the root
conftest. Only tests may switch the trail's triggers off; production code never does.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from audit import trail
from audit.models import Event
from audit.trail import SYSTEM, append
from audit.vocabulary import Action


@contextmanager
def triggers_off() -> Iterator[CursorWrapper]:
    """A cursor on the trail with its triggers off, as an intruder with database access has.

    One transaction: the triggers are back on when it ends, and other connections never see
    them off (DDL is transactional on both databases).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
            yield cursor
            cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
        else:
            # SQLite cannot switch a trigger off: drop them and create them again as they were.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'audit_event'"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield cursor
            for _, sql in triggers:
                cursor.execute(sql)


@pytest.fixture
def audit_transactional_db(transactional_db, django_db_serialized_rollback) -> Iterator[None]:
    """pytest-django's `transactional_db`, with the audit trail wiped before its flush.

    The flush that ends a transactional test empties every table, and the trail refuses to
    be emptied while it holds events. Set up after `transactional_db`, this is torn down
    before it: it deletes the events with the triggers off, and the flush finds the table
    empty, which TRUNCATE allows and SQLite's DELETE does not even notice.

    The flush also empties what the migrations wrote (the staff roles' groups): with the
    serialized rollback each test starts from it again, whichever ran before it.
    """
    yield
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_event")


def append_events(count: int) -> list:
    """`count` events appended as the system, each naming its place: a short trail to test."""
    return [
        append(
            action=Action.RECORDS_RECORD_CHANGED,
            actor=SYSTEM,
            target_type="test.thing",
            target_id=n,
        )
        for n in range(1, count + 1)
    ]


def append_legacy(name: str, *, actor_id: int | None = None, **fields) -> Event:
    """An event named as trails were before `audit.vocabulary` (`access.read`), chained as
    `append` chains, which no longer writes such a name: what an existing trail holds."""
    event = Event(
        at=timezone.now(),
        actor_kind="user" if actor_id else "system",
        actor_id=actor_id,
        action=name,
        **fields,
    )
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            trail._append_in_database(event)
        else:
            trail._append_here(event)
    return event
