"""Python and PostgreSQL write the same canonical bytes for every event, so both verify it."""

import hashlib

import pytest
from django.db import connection

from audit.models import Event
from audit.trail import SYSTEM, Actor, append, event_bytes
from audit.vocabulary import Action, ActorKind

USER = ActorKind.USER

pytestmark = pytest.mark.django_db

# The strings that are not `details` or the action are anything a caller passes: quotes,
# backslashes, control characters, kanji, emoji. `details` holds identifiers only
# (test_details), the action a declared name (audit.vocabulary).
EVENTS = [
    {"action": Action.RECORDS_ACCESS_READ, "actor": Actor(USER, 7), "details": {}},
    {"action": Action.RECORDS_ACCESS_READ, "actor": SYSTEM, "purpose": "", "target_id": ""},
    {"target_type": 'say "hi"', "actor": Actor(USER, 2**62), "target_id": "back\\slash"},
    {"purpose": "line\nbreak\ttab\r\x01\x1f\x7f", "actor": Actor(USER, -1)},
    {"target_type": "給付審査", "actor": Actor(USER, 1), "purpose": "保険給付の審査・支払 😀"},
    {"target_type": "a\u2028b", "actor": Actor(USER, 1), "target_id": "</script>"},
    {
        "action": Action.RECORDS_RECORD_CHANGED,
        "actor": Actor(USER, 3),
        "details": {
            "fields": ["name", "birth_date", "address"],
            "a": None,
            "bb": True,
            "B": False,
            "category": 17,
            "big": 10**30,
            "negative": -5,
            "nested": {"zz": [1, [2, {"y": "x:y/z+1-2.3_4"}]], "a": {}},
            "empty": [],
        },
    },
]


@pytest.fixture
def events() -> list[Event]:
    return [append(**{"action": Action.RECORDS_RECORD_CHANGED, **fields}) for fields in EVENTS]


def test_each_event_hash_is_sha256_of_the_python_encoding(events):
    for event in Event.objects.order_by("seq"):
        assert event.hash == hashlib.sha256(event_bytes(event)).hexdigest(), event.action


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "query",
    [
        # What the thorough verifier hashes, rebuilt from the columns.
        "SELECT seq, convert_to(audit_event_canonical(seq, at, actor_kind, actor_id, action, "
        "target_type, target_id, purpose, details, prev_hash), 'UTF8') "
        "FROM audit_event ORDER BY seq",
        # What the fast check hashes: the bytes the database stored with the event (0007).
        "SELECT seq, canonical FROM audit_event ORDER BY seq",
    ],
    ids=["rebuilt", "stored"],
)
def test_the_database_writes_the_same_bytes_as_python(events, query):
    with connection.cursor() as cursor:
        cursor.execute(query)
        in_database = dict(cursor.fetchall())
    for event in Event.objects.order_by("seq"):
        assert bytes(in_database[event.seq]) == event_bytes(event)


def test_the_returned_event_is_the_stored_one(events):
    for returned in events:
        stored = Event.objects.get(pk=returned.pk)
        assert event_bytes(returned) == event_bytes(stored)
        assert (returned.seq, returned.hash) == (stored.seq, stored.hash)
