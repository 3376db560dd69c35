"""Append to the audit trail, inside the caller's transaction.

Must never store a personal value: `details` accepts only numbers, booleans, and short
identifier-like strings (ids, codes, field names, hashes), which `validate_details` enforces.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone

from .models import GENESIS_HASH, ChainHead, Event

SYSTEM = "system"
USER = "user"
PUBLIC = "public"  # a member or agent on a public form, not signed in

# No spaces, no kana or kanji, no "@": a name, an address or a sentence never passes.
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:/+\-]{0,128}$")


class PersonalValueRefused(ValueError):
    """A detail looked like a value rather than an identifier; the trail must not hold it."""


@dataclass(frozen=True)
class Actor:
    kind: str
    id: int | None = None


def actor_for(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(PUBLIC)
    return Actor(USER, user.pk)


def validate_details(value, path: str = "details") -> None:
    # Floats are left out: their text form may change in a JSON column and break the hash.
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if not _IDENTIFIER.match(value):
            raise PersonalValueRefused(f"{path}: only identifiers may enter the audit trail")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            validate_details(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not _IDENTIFIER.match(key):
                raise PersonalValueRefused(f"{path}: keys must be identifiers")
            validate_details(item, f"{path}.{key}")
        return
    raise PersonalValueRefused(f"{path}: {type(value).__name__} cannot enter the audit trail")


# A JSON string literal with non-ASCII kept as is (ensure_ascii=False), and the details
# encoder: the C implementations behind json.dumps, called directly.
_string = json.encoder.encode_basestring
_details = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_bytes(
    *,
    seq: int,
    at: datetime,
    actor_kind: str,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    purpose: str,
    details: dict,
    prev_hash: str,
) -> bytes:
    """The exact bytes an event's hash covers: sorted-key compact JSON, time in UTC.

    Byte for byte `json.dumps(fields, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`, so an auditor recomputes a hash with any JSON library. Written out
    key by key because `verify` calls it once per event, a million times and more.
    """
    actor = "null" if actor_id is None else int(actor_id)
    at_utc = at.astimezone(UTC).isoformat(timespec="microseconds")
    return (
        f'{{"action":{_string(action)},"actor_id":{actor},"actor_kind":{_string(actor_kind)},'
        f'"at":"{at_utc}","details":{_details(details)},"prev_hash":{_string(prev_hash)},'
        f'"purpose":{_string(purpose)},"seq":{int(seq)},"target_id":{_string(target_id)},'
        f'"target_type":{_string(target_type)}}}'
    ).encode()


def event_bytes(event: Event) -> bytes:
    return canonical_bytes(
        seq=event.seq,
        at=event.at,
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        purpose=event.purpose,
        details=event.details,
        prev_hash=event.prev_hash,
    )


def append(
    *,
    action: str,
    actor: Actor,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    purpose: str = "",
    details: dict | None = None,
) -> Event:
    """Append one event to the chain, in the caller's transaction (or a new one if none).

    `target` is a model instance (its label and pk are recorded), or give `target_type`
    and `target_id`. The event commits or rolls back with the change it records, so a
    rolled-back transaction leaves neither an event nor a gap in `seq`.
    """
    details = details or {}
    validate_details(details)
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _lock_head()
        fields = {
            "seq": seq + 1,
            "at": timezone.now(),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "purpose": purpose,
            "details": details,
            "prev_hash": prev_hash,
        }
        event = Event(**fields, hash=hashlib.sha256(canonical_bytes(**fields)).hexdigest())
        # The insert trigger of migration 0004 moves the head to this event: one round trip
        # per append instead of two.
        event.save(force_insert=True)
    return event


def _lock_head() -> tuple[int, str]:
    """Lock the head row and return the last event's (seq, hash).

    The lock serialises appenders until they commit: the next seq is gapless and no two
    events share a predecessor, on PostgreSQL under any number of writers. A missing head
    row (a flushed test database, a restore without it) is rebuilt from the last event.
    """
    # Plain SQL: building the ORM query would cost more than the round trip itself.
    sql = "SELECT seq, hash FROM audit_chainhead WHERE id = 1"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"  # SQLite has no row locks: its writers queue at BEGIN IMMEDIATE
    with connection.cursor() as cursor:
        cursor.execute(sql)
        head = cursor.fetchone()
    if head is not None:
        return head
    last = Event.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, hash_ = last or (0, GENESIS_HASH)
    # Two appenders may both find no head: the second insert waits for the first one's
    # commit and then does nothing; both go on to lock the one row.
    ChainHead.objects.bulk_create([ChainHead(id=1, seq=seq, hash=hash_)], ignore_conflicts=True)
    return _lock_head()
