"""The fast check behind `verify_audit` on PostgreSQL (`audit._scan`): it vouches for an intact
trail and for nothing else, whatever an intruder with database access did.

Transactional tests: the check reads on connections of its own, which see only what is
committed. Every tampering is also put to `verify_audit`, whose thorough verifier must then
name it (test_verify holds the words).
"""

from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from audit.models import GENESIS_HASH
from audit.tests.fixtures import append_events, triggers_off
from audit.verify import fast, thorough, verify_chain

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("audit_transactional_db")]

EVENTS = 9  # scanned in two halves: #1-#4 and #5-#9
_0007 = import_module("audit.migrations.0007_canonical_bytes_in_each_row")
_0008 = import_module("audit.migrations.0008_restorable_functions")


def tamper(*statements: str | tuple[str, list]) -> None:
    """Run each statement (SQL, or SQL and its parameters) with the triggers off."""
    with triggers_off() as cursor:
        for statement in statements:
            sql, params = (statement, None) if isinstance(statement, str) else statement
            cursor.execute(sql, params)


def rechain_from(seq: int) -> None:
    """Recompute every hash and link from event #`seq` to the last, as an intruder who knows
    the encoding would: each event then fits the one before it, from #`seq` on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(seq) FROM audit_event")
        (last,) = cursor.fetchone()
    for n in range(seq, last + 1):
        if n > seq:
            tamper(
                (
                    "UPDATE audit_event SET prev_hash = "
                    "(SELECT hash FROM audit_event WHERE seq = %s) WHERE seq = %s",
                    [n - 1, n],
                )
            )
        tamper(
            ("UPDATE audit_event SET hash = encode(sha256(canonical), 'hex') WHERE seq = %s", [n])
        )


def thorough_verifier_called():
    raise AssertionError("the thorough verifier ran: the fast check did not vouch")


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_it_is_built_wherever_the_suite_runs_on_postgresql():
    assert fast._scan is not None, "audit._scan was not built: see pyproject.toml"


@pytest.mark.parametrize("count", [0, 1, 2, EVENTS])
def test_it_vouches_for_an_intact_trail_as_the_thorough_verifier_does(count):
    head = append_events(count)[-1].hash if count else GENESIS_HASH
    scanned = fast.scanned()
    assert scanned == thorough.in_database()
    assert (scanned.count, scanned.head_hash, scanned.problem) == (count, head, None)


def test_verify_audit_answers_from_it_for_an_intact_trail(monkeypatch):
    *_, last = append_events(EVENTS)
    monkeypatch.setattr(thorough, "in_database", thorough_verifier_called)
    assert verify_audit() == f"verified {EVENTS} events, head {last.hash}\n"


TAMPERING = {
    "a column changed": lambda: tamper("UPDATE audit_event SET target_id = '999' WHERE seq = 3"),
    "a hash changed": lambda: tamper(
        ("UPDATE audit_event SET hash = %s WHERE seq = 7", ["a" * 64])
    ),
    "a link changed": lambda: tamper(
        "UPDATE audit_event SET prev_hash = (SELECT hash FROM audit_event WHERE seq = 1) "
        "WHERE seq = 6"
    ),
    "the first events removed": lambda: tamper("DELETE FROM audit_event WHERE seq <= 2"),
    "the last event of the first half removed": lambda: tamper(
        "DELETE FROM audit_event WHERE seq = 4"
    ),
    "the first event of the second half removed": lambda: tamper(
        "DELETE FROM audit_event WHERE seq = 5"
    ),
    "an event renumbered to before the start": lambda: tamper(
        "UPDATE audit_event SET seq = 0 WHERE seq = 1"
    ),
    "events swapped across the halves": lambda: tamper(
        "UPDATE audit_event SET seq = 1000 WHERE seq = 4",
        "UPDATE audit_event SET seq = 4 WHERE seq = 5",
        "UPDATE audit_event SET seq = 5 WHERE seq = 1000",
    ),
    "removed, the rest renumbered": lambda: tamper(
        "DELETE FROM audit_event WHERE seq = 3",
        "UPDATE audit_event SET seq = seq - 1 WHERE seq > 3",
    ),
    # Each half fits itself: only joining them shows the break.
    "the second half rechained to a forged predecessor": lambda: (
        tamper(("UPDATE audit_event SET prev_hash = %s WHERE seq = 5", ["b" * 64])),
        rechain_from(5),
    ),
    "the whole trail rechained from a forged start": lambda: (
        tamper(("UPDATE audit_event SET prev_hash = %s WHERE seq = 1", ["c" * 64])),
        rechain_from(1),
    ),
}


@pytest.mark.parametrize("tampering", TAMPERING.values(), ids=TAMPERING.keys())
def test_it_never_vouches_for_a_tampered_trail(tampering):
    append_events(EVENTS)
    tampering()
    assert fast.scanned() is None
    with pytest.raises(CommandError, match=r"^FAILED "):
        verify_audit()


@pytest.fixture
def canonical_restored():
    """Undo a test's changes to the generated column and its function, which DDL commits."""
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_event DROP COLUMN canonical")
        cursor.execute(_0008.BYTES)
        cursor.execute(_0007.COLUMN)


def test_it_does_not_trust_a_column_no_longer_generated(canonical_restored, monkeypatch):
    append_events(EVENTS)
    # The stored bytes kept as they were while the event is changed: they still hash right.
    tamper(
        "ALTER TABLE audit_event ALTER COLUMN canonical DROP EXPRESSION",
        "UPDATE audit_event SET target_id = '999' WHERE seq = 3",
    )
    assert fast.scanned() is None
    with pytest.raises(CommandError, match=r"^FAILED changed: event #3 does not match its hash"):
        verify_audit()
    # The catalog is what caught it: the scan alone would have vouched.
    _, functions = fast._as_migrated()
    monkeypatch.setattr(fast, "_as_migrated", lambda: (None, functions))
    assert fast.scanned() is not None


def test_it_does_not_trust_a_replaced_function(canonical_restored):
    append_events(EVENTS)
    tamper(_0008.BYTES.replace("SELECT convert_to(", "SELECT convert_to('' || "))
    assert fast.scanned() is None
    assert verify_audit().startswith(f"verified {EVENTS} events")


def test_it_leaves_a_transaction_that_wrote_to_the_thorough_verifier():
    *_, last = append_events(EVENTS)
    with transaction.atomic():
        # Only read so far (a request, before it appends its own event): nothing unseen.
        scanned = fast.scanned()
        assert (scanned.count, scanned.head_hash) == (EVENTS, last.hash)
        append_events(1)
        assert fast.scanned() is None  # its own event would be missing from the scans
        assert verify_chain().count == EVENTS + 1


def test_without_it_verify_audit_gives_the_same_answers(monkeypatch):
    monkeypatch.setattr(fast, "_scan", None)
    *_, last = append_events(EVENTS)
    assert fast.scanned() is None
    assert verify_audit() == f"verified {EVENTS} events, head {last.hash}\n"
    TAMPERING["a column changed"]()
    with pytest.raises(CommandError, match=r"^FAILED changed: event #3"):
        verify_audit()


def test_it_refuses_what_it_cannot_scan():
    conninfo = fast._conninfo()
    with pytest.raises(ValueError, match="snapshot"):
        fast._scan.scan(conninfo, "1'; DROP TABLE audit_event; --", 1, 1)
    with pytest.raises(RuntimeError, match="snapshot"):
        fast._scan.scan(conninfo, "00000003-0000001B-1", 1, 1)  # exported by no one
    with pytest.raises(RuntimeError):
        fast._scan.scan("host=127.0.0.1 port=1 connect_timeout=2", "00000003-0000001B-1", 1, 1)
