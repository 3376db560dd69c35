"""Append to the audit trail, inside the caller's transaction.

Must never store a personal value: `details` accepts only numbers, booleans, and short
identifier-like strings (ids, codes, field names, hashes), which `validate_details` enforces.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, ChainHead, Event

SYSTEM = "system"
USER = "user"
PUBLIC = "public"  # a member or agent on a public form, not signed in

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:/@+\-]{0,128}$")


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
    """The exact bytes an event's hash covers: sorted-key compact JSON, time in UTC."""
    return json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "purpose": purpose,
            "details": details,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
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
    and `target_id`. The event commits or rolls back with the change it records.
    """
    details = details or {}
    validate_details(details)
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    with transaction.atomic(savepoint=False):
        # The head row's lock serialises appenders: the next seq is gapless and no two
        # events share a predecessor, on PostgreSQL under any number of writers.
        head = ChainHead.objects.select_for_update().get(id=1)
        fields = {
            "seq": head.seq + 1,
            "at": timezone.now(),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "purpose": purpose,
            "details": details,
            "prev_hash": head.hash or GENESIS_HASH,
        }
        event = Event(**fields, hash=hashlib.sha256(canonical_bytes(**fields)).hexdigest())
        event.save(force_insert=True)
        ChainHead.objects.filter(id=1).update(seq=event.seq, hash=event.hash)
    return event
