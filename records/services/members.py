"""Members: created and changed, normalised (NFKC, kana) and validated, each change audited."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.trail import Actor
from audit.vocabulary import Action
from core import audited
from core.normalize import (
    normalize_code,
    normalize_kana,
    normalize_postal_code,
    normalize_text,
)

from ..models import Member
from .trail import changed_digests

# Member fields and how a typed value is normalised before validation.
_MEMBER_NORMALIZERS = {
    "symbol": normalize_code,
    "number": normalize_code,
    "branch": normalize_code,
    "name": normalize_text,
    "name_kana": normalize_kana,
    "employer": normalize_text,
    "postal_code": normalize_postal_code,
    "address": normalize_text,
    "source_id": normalize_code,
}
MEMBER_FIELDS = (
    "symbol",
    "number",
    "branch",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "relationship",
    "insured",
    "employer",
    "postal_code",
    "address",
    "acquired_on",
    "lost_on",
    "source_id",
)
# What staff record on the member's page besides: never a column of the import, which would
# otherwise clear it on each run.
RECORDED_FIELDS = ("died_on",)


def normalize_member_fields(fields: dict) -> dict:
    """Member fields as typed, normalised (NFKC, kana); the import uses it row by row."""
    return {
        key: _MEMBER_NORMALIZERS[key](value)
        if key in _MEMBER_NORMALIZERS and isinstance(value, str)
        else value
        for key, value in fields.items()
    }


def _member_values(member: Member) -> dict:
    return {
        field: getattr(member, "insured_id" if field == "insured" else field)
        for field in (*MEMBER_FIELDS, *RECORDED_FIELDS)
    }


@transaction.atomic
def member_create(
    *,
    symbol: str,
    number: str,
    branch: str,
    name: str,
    name_kana: str,
    birth_date: datetime.date,
    sex: str,
    acquired_on: datetime.date,
    by: AbstractBaseUser | Actor,
    relationship: str = Member.Relationship.SELF,
    insured: Member | None = None,
    employer: str = "",
    postal_code: str = "",
    address: str = "",
    lost_on: datetime.date | None = None,
    source_id: str | None = None,
) -> Member:
    """A new member (被保険者 or, naming `insured`, 被扶養者), normalised and validated."""
    fields = normalize_member_fields(
        {
            "symbol": symbol,
            "number": number,
            "branch": branch,
            "name": name,
            "name_kana": name_kana,
            "birth_date": birth_date,
            "sex": sex,
            "relationship": relationship,
            "insured": insured,
            "employer": employer,
            "postal_code": postal_code,
            "address": address,
            "acquired_on": acquired_on,
            "lost_on": lost_on,
            "source_id": source_id or None,
        }
    )
    return audited.save(
        Member(**fields),
        by=by,
        action=Action.RECORDS_MEMBER_CREATED,
        details=lambda member: {
            "fields": sorted(k for k, v in _member_values(member).items() if v)
        },
    )


@transaction.atomic
def member_update(*, member: Member, by: AbstractBaseUser | Actor, **changes) -> Member:
    """Change some of a member's fields (any of `MEMBER_FIELDS` and `RECORDED_FIELDS`: the
    date of death); unchanged fields are no event."""
    unknown = set(changes) - {*MEMBER_FIELDS, *RECORDED_FIELDS}
    if unknown:
        raise TypeError(f"member_update() got unknown fields: {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = _member_values(member)
    for field, value in normalize_member_fields(changes).items():
        setattr(member, field, value)

    def changes_of(member: Member) -> dict | None:
        changed = changed_digests(before, _member_values(member))
        return {"changes": changed} if changed else None

    return audited.save(member, by=by, action=Action.RECORDS_MEMBER_CHANGED, details=changes_of)
