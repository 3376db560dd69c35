"""Append to the audit trail, inside the caller's transaction.

Must never store a personal value: `details` accepts only integers, booleans, null and short
identifier-like strings (ids, codes, field names, hashes), which `validate_details` enforces.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import GENESIS_HASH, Event
from .vocabulary import NAMES, Action, ActorKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# No spaces, no kana or kanji, no "@": a name, an address or a sentence never passes.
# Nothing to escape in JSON either, so the database and Python write details the same way.
# Matched whole (fullmatch): `$` would let a trailing newline through.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.:/+\-]{0,128}")
# Identifier-shaped personal values, matched whole: a phone number (03-1234-5678,
# 09012345678, +81-3-1234-5678), a run of seven digits or more (an account, insurance or card
# number; 19850620), three groups of digits (記号-番号-枝番 9901-7700004-00) or a bank branch
# and account (123-1234567). A receipt number (260401-000001) is none of them.
_PERSONAL_NUMBER = re.compile(
    r"(?:\+81-?|0)\d{1,4}-\d{1,4}-\d{3,4}|(?:\+81|0)\d{9,10}|\d{7,}"
    r"|\d+-\d+-\d+|\d{3,4}-\d{7}"
)
# A date (1985-06-20, 1985/6/20, 1985.06.20, with or without a time) or a 和暦 date as members
# type it (S60.6.20, H1.1.8): a birth date looks like any other, so a date is let through only
# under a key that names a day of the society's own business (`DAY_KEYS`).
_DATE = re.compile(
    r"(?:19|20)\d{2}([-/.])\d{1,2}\1\d{1,2}(?:T[0-9:.+\-]*)?|[MTSHRmtshr]\d{1,2}\.\d{1,2}\.\d{1,2}"
)
DAY_KEYS = frozenset({"at", "date", "day", "start", "end", "effective_on"})


class PersonalValueRefused(ValueError):
    """A detail looked like a value rather than an identifier; the trail must not hold it."""


class UndeclaredAction(ValueError):
    """An event named an action that `audit.vocabulary.Action` does not declare."""


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None


# Who acts when no staff user does. Said by name, never by None, which read as the public in
# one module and as the system in another.
PUBLIC = Actor(ActorKind.PUBLIC)
SYSTEM = Actor(ActorKind.SYSTEM)

By = AbstractBaseUser | Actor


def actor_for(by: By) -> Actor:
    """The actor for `by`: a signed-in staff user, or `PUBLIC` or `SYSTEM` as they are."""
    if isinstance(by, Actor):
        return by
    if not isinstance(by, AbstractBaseUser) or not by.is_authenticated:
        raise TypeError(f"by must be a signed-in user, PUBLIC or SYSTEM, not {by!r}")
    return Actor(ActorKind.USER, by.pk)


def user_of(by: By) -> "User | None":
    """The staff user behind `by`, for a row's `created_by`; None for the public or the system."""
    # Staff sign in as the installation's user model, the one a `created_by` points at.
    return None if isinstance(by, Actor) else cast("User", by)


def keyed_digest(value, *, purpose: str) -> str:
    """A keyed SHA-256 (HMAC) of `value` under the installation's secret, for `purpose`: what
    the trail, or a record reduced on erasure, may keep of a value.

    A bare SHA-256 of a sex, a birth date, a name or a 7-digit account number is reversed by
    trying every candidate; keyed, it only tells the auditors whether two values were equal.
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return salted_hmac(purpose, text, algorithm="sha256").hexdigest()


def validate_details(value, path: str = "details", *, key: str = "") -> None:
    """Refuse anything but identifiers: no name, address, sentence, phone number, account or
    insurance number, and no date but under one of `DAY_KEYS`. `key` is the dict key that
    holds `value`, if any."""
    # Floats are left out: their text form may change in a JSON column and break the hash.
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str):
        if not _IDENTIFIER.fullmatch(value):
            raise PersonalValueRefused(f"{path}: only identifiers may enter the audit trail")
        if _DATE.fullmatch(value):
            if key not in DAY_KEYS:
                raise PersonalValueRefused(f"{path}: a date outside {sorted(DAY_KEYS)}")
            return
        if _PERSONAL_NUMBER.fullmatch(value):
            raise PersonalValueRefused(f"{path}: a phone, account or insurance number")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            validate_details(item, f"{path}[{i}]", key=key)
        return
    if isinstance(value, dict):
        for name, item in value.items():
            if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
                raise PersonalValueRefused(f"{path}: keys must be identifiers")
            validate_details(item, f"{path}.{name}", key=name)
        return
    raise PersonalValueRefused(f"{path}: {type(value).__name__} cannot enter the audit trail")


# The text of a JSON value as PostgreSQL's jsonb::text writes it: ", " and ": " between items,
# non-ASCII kept as is, strings escaped as Python's json escapes them.
_json = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


def _jsonb_ordered(value):
    """`value` with every object's keys in jsonb's order: shorter keys first, then bytewise."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: _jsonb_ordered(value[key]) for key in keys}
    if isinstance(value, list | tuple):
        return [_jsonb_ordered(item) for item in value]
    return value


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
    """The exact bytes an event's hash covers: a JSON array of its fields, in UTF-8.

    `[seq, at, actor_kind, actor_id, action, target_type, target_id, purpose, details,
    prev_hash]`, with `at` in UTC to the microsecond (`2025-04-01T00:00:00.037000+00:00`),
    written as PostgreSQL writes `jsonb::text`. The database computes the same bytes in
    `audit_event_canonical` (migrations 0005, 0006), so that it can append in one statement and
    verify a million events without sending them anywhere; any JSON library reads them.
    """
    at_utc = at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [seq, at_utc, actor_kind, actor_id, action, target_type, target_id, purpose]
    return _json([*fields, _jsonb_ordered(details), prev_hash]).encode()


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
    action: Action,
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

    Appenders queue until the one before them commits: the next seq is gapless and no two
    events share a predecessor. On PostgreSQL `audit_append` (migration 0005) takes a
    transaction-level advisory lock, reads the last event, hashes and inserts, in one round
    trip; on SQLite the transaction itself holds the write lock from its start (BEGIN
    IMMEDIATE, see the settings), and the same steps run here.
    """
    if action not in NAMES:
        raise UndeclaredAction(f"{action!r} is not declared in audit.vocabulary.Action")
    details = details or {}
    validate_details(details)
    if target is not None:
        target_type, target_id = target._meta.label_lower, target.pk
    event = Event(
        at=timezone.now(),
        actor_kind=ActorKind(actor.kind).value,
        actor_id=actor.id,
        action=Action(action).value,
        target_type=target_type,
        target_id=str(target_id),
        purpose=purpose,
        details=details,
    )
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            _append_in_database(event)
        else:
            _append_here(event)
    return event


def _append_in_database(event: Event) -> None:
    # Plain SQL: building the ORM query would cost more than the round trip itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, seq, prev_hash, hash FROM audit_append(%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                event.at,
                event.actor_kind,
                event.actor_id,
                event.action,
                event.target_type,
                event.target_id,
                event.purpose,
                json.dumps(event.details),
            ],
        )
        event.id, event.seq, event.prev_hash, event.hash = cursor.fetchone()
    event._state.adding = False


def _append_here(event: Event) -> None:
    last = Event.objects.order_by("-seq").values_list("seq", "hash").first()
    event.seq, event.prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event.hash = hashlib.sha256(event_bytes(event)).hexdigest()
    event.save(force_insert=True)
