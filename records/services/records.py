"""Records: created, changed and deleted (消去), each payload checked against its category's
schema, each write audited with field names and digests, never the values."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.trail import Actor, actor_for, append
from audit.vocabulary import Action
from core import audited
from core.normalize import normalize_code, normalize_text
from purposes.models import Category

from ..models import Member, Record
from .trail import changed_digests


@transaction.atomic
def record_create(
    *,
    member: Member,
    category: Category,
    date: datetime.date,
    title: str,
    payload: dict,
    by: AbstractBaseUser | Actor,
    source_id: str | None = None,
) -> Record:
    """A new record; the payload is normalised and validated against its category's schema."""
    record = Record(
        member=member,
        category=category,
        date=date,
        title=normalize_text(title),
        payload=payload,
        source_id=normalize_code(source_id) if source_id else None,
    )
    return audited.save(
        record,
        by=by,
        action=Action.RECORDS_RECORD_CREATED,
        details=lambda record: {
            "member": member.pk,
            "category": category.code,
            "fields": sorted(record.payload),
        },
    )


def _record_values(record: Record) -> dict[str, object]:
    values: dict[str, object] = {"member": record.member_id, "category": record.category_id}
    values.update(date=record.date, title=record.title)
    # Each payload item is its own field in the trail: "payload.account_number".
    values.update({f"payload.{key}": value for key, value in record.payload.items()})
    return values


@transaction.atomic
def record_update(*, record: Record, by: AbstractBaseUser | Actor, **changes) -> Record:
    """Change a record's member, category, date, title or payload (the whole payload)."""
    unknown = set(changes) - {"member", "category", "date", "title", "payload"}
    if unknown:
        raise TypeError(f"record_update() got unknown fields: {sorted(unknown)}")
    record = Record.objects.select_for_update().select_related("category").get(pk=record.pk)
    before = _record_values(record)
    if "title" in changes:
        changes["title"] = normalize_text(changes["title"])
    for field, value in changes.items():
        setattr(record, field, value)

    def changes_of(record: Record) -> dict | None:
        changed = changed_digests(before, _record_values(record))
        if not changed:
            return None
        return {"member": record.member_id, "category": record.category.code, "changes": changed}

    return audited.save(record, by=by, action=Action.RECORDS_RECORD_CHANGED, details=changes_of)


@transaction.atomic
def record_delete(*, record: Record, by: AbstractBaseUser | Actor, reason_ref: str) -> int:
    """Delete a record (消去, APPI Art. 35) and return its id.

    The event keeps the id, the member's id, the category's code and the payload's field
    names: the values leave the database with the row, and the chain still verifies.
    """
    record = Record.objects.select_for_update().select_related("category").get(pk=record.pk)
    pk = record.pk
    append(
        action=Action.RECORDS_RECORD_DELETED,
        actor=actor_for(by),
        target=record,
        details={
            "member": record.member_id,
            "category": record.category.code,
            "fields": sorted(record.payload),
            "reference": normalize_code(reason_ref),
        },
    )
    record.delete()
    return pk
