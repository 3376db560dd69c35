"""The database itself refuses to change or remove an event, on PostgreSQL and on SQLite."""

import pytest
from django.core.management.color import no_style
from django.db import IntegrityError, connection, transaction

from audit.models import Event
from audit.tests.fixtures import append_events

pytestmark = pytest.mark.django_db


def test_it_refuses_to_update_an_event():
    append_events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(seq=1).update(target_id="999")
    assert Event.objects.get(seq=1).target_id == "1"


def test_it_refuses_to_delete_an_event():
    append_events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        Event.objects.filter(seq=2).delete()
    assert Event.objects.count() == 2


def test_it_refuses_to_empty_the_table():
    # What a flush runs: TRUNCATE on PostgreSQL, DELETE without WHERE on SQLite.
    append_events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _flush()
    assert Event.objects.count() == 2


@pytest.mark.postgres_only
def test_it_refuses_truncate_even_with_other_tables():
    append_events(1)
    with (
        pytest.raises(IntegrityError, match="TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_event, django_session")
    assert Event.objects.count() == 1


def test_it_lets_an_empty_table_be_emptied():
    # Nothing is lost, and a test database's flush must pass once its trail is wiped.
    _flush()
    assert not Event.objects.exists()


def _flush() -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), ["audit_event"]):
            cursor.execute(sql)
