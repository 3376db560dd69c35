"""`verify_audit` against every kind of tampering, done as an intruder with database access."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import GENESIS_HASH, Event
from audit.tests.fixtures import append_events, triggers_off
from audit.trail import event_bytes
from audit.vocabulary import Action

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[False, True], ids=["in-the-database", "independent"])
def independent(request) -> bool:
    """Each test runs with both verifiers: they must give the same verdict in the same words.

    On SQLite both are the Python walker.
    """
    return request.param


@pytest.fixture
def verify(independent):
    def verify(**options) -> str:
        out = StringIO()
        call_command("verify_audit", independent=independent, stdout=out, **options)
        return out.getvalue()

    return verify


@pytest.fixture
def verify_fails(independent):
    def verify_fails() -> str:
        with pytest.raises(CommandError) as failure:
            call_command("verify_audit", independent=independent, stdout=StringIO())
        assert failure.value.returncode == 1
        return str(failure.value)

    return verify_fails


def tamper(sql: str, params: list | None = None) -> None:
    with triggers_off() as cursor:
        cursor.execute(sql, params)


def hash_of(seq: int) -> str:
    return hashlib.sha256(event_bytes(Event.objects.get(seq=seq))).hexdigest()


def test_it_verifies_an_intact_trail(verify):
    *_, last = append_events(5)
    assert verify() == f"verified 5 events, head {last.hash}\n"


def test_it_verifies_an_empty_trail(verify):
    assert verify() == f"verified 0 events, head {GENESIS_HASH}\n"


def test_it_detects_a_changed_event(verify_fails):
    append_events(5)
    tamper("UPDATE audit_event SET target_id = '999' WHERE seq = 3")
    assert verify_fails() == (
        "FAILED changed: event #3 does not match its hash: "
        "its content was altered after it was written"
    )


def test_it_detects_a_changed_event_whose_hash_was_recomputed(verify_fails):
    append_events(5)
    tamper("UPDATE audit_event SET target_id = '999' WHERE seq = 3")
    tamper("UPDATE audit_event SET hash = %s WHERE seq = 3", [hash_of(3)])
    assert verify_fails() == (
        "FAILED changed: event #4 names a predecessor hash that no event has: "
        "#3 was rewritten with a recomputed hash, or #4 was forged"
    )


def test_it_detects_a_missing_event(verify_fails):
    append_events(5)
    tamper("DELETE FROM audit_event WHERE seq = 3")
    assert verify_fails() == "FAILED missing: event #3 is missing: the trail jumps to #4"


def test_it_detects_missing_events_at_the_start(verify_fails):
    append_events(5)
    tamper("DELETE FROM audit_event WHERE seq <= 2")
    assert verify_fails() == "FAILED missing: events #1-#2 are missing: the trail jumps to #3"


def test_it_detects_a_missing_event_when_the_rest_was_renumbered(verify_fails):
    append_events(5)
    tamper("DELETE FROM audit_event WHERE seq = 3")
    # In two steps: a unique seq is checked row by row, in whatever order the rows are met.
    tamper("UPDATE audit_event SET seq = seq + 1000 WHERE seq > 3")
    tamper("UPDATE audit_event SET seq = seq - 1001 WHERE seq > 1000")
    assert verify_fails() == (
        "FAILED missing: the event before #3 was removed and the events after it renumbered: "
        "the event now at #3 was written as #4"
    )


def test_it_detects_reordered_events(verify_fails):
    append_events(5)
    tamper("UPDATE audit_event SET seq = 1000 WHERE seq = 2")
    tamper("UPDATE audit_event SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_event SET seq = 3 WHERE seq = 1000")
    assert verify_fails() == "FAILED reordered: event #2 was moved: it was written as #3"


def test_it_detects_an_inserted_event(verify_fails):
    *_, second, third, _, _ = append_events(5)
    # The events from #3 on move up one place, and a forged #3 chained to #2 takes the gap.
    tamper("UPDATE audit_event SET seq = seq + 1000 WHERE seq >= 3")
    tamper("UPDATE audit_event SET seq = seq - 999 WHERE seq >= 1000")
    forged = Event(
        seq=3,
        at=third.at,
        actor_kind="system",
        action=Action.RECORDS_RECORD_CHANGED,
        target_type="test.thing",
        target_id="forged",
        prev_hash=second.hash,
    )
    forged.hash = hashlib.sha256(event_bytes(forged)).hexdigest()
    with triggers_off():
        forged.save(force_insert=True)
    assert verify_fails() == (
        "FAILED inserted: event #3 is not in the chain: "
        "the event now at #4 was written as #3, right after #2"
    )


def test_it_detects_an_event_before_the_start(verify_fails):
    (first,) = append_events(1)
    tamper("UPDATE audit_event SET seq = 0 WHERE seq = %s", [first.seq])
    assert verify_fails() == "FAILED inserted: event #0 comes before the start of the chain (#1)"


def test_it_reads_the_trail_in_chunks_smaller_than_the_trail(verify):
    *_, last = append_events(7)
    assert verify(chunk_size=2) == f"verified 7 events, head {last.hash}\n"


@pytest.mark.postgres_only
def test_the_parallel_settings_end_with_the_verification(verify):
    """Verifying in the database plans in parallel without JIT; the caller's settings stay."""
    append_events(3)

    def settings() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), current_setting('parallel_setup_cost')")
            return cursor.fetchone()

    before = settings()
    verify()
    assert settings() == before
