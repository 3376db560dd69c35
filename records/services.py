"""Write operations on members, records, restrictions and third-party provisions.

Every entry point (the admin, the API, the commands, other apps' workflows) writes through
these functions: each normalises its input, calls `full_clean()`, saves, and appends its
audit event in the same transaction. Events carry ids, field names and keyed digests of
old and new values, never the values themselves. Reads of personal data do not belong
here: they pass through the gate.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import Actor, actor_for, append, keyed_digest
from core.normalize import normalize_code, normalize_kana, normalize_text
from purposes.models import Category, Purpose

from .models import Member, Record, Restriction, ThirdPartyProvision


class ProvisionRefused(Exception):
    """A 第三者提供の停止 in force forbids this provision; the message says which, in Japanese."""


def as_actor(by: AbstractBaseUser | Actor) -> Actor:
    """`by` is the user who acts, or an `Actor` such as `Actor(SYSTEM)` for a command."""
    return by if isinstance(by, Actor) else actor_for(by)


def _user(by: AbstractBaseUser | Actor) -> AbstractBaseUser | None:
    return None if isinstance(by, Actor) else by


def value_digest(value) -> str:
    """A changed field's value as the trail keeps it: a keyed digest (`audit.trail`)."""
    return keyed_digest(value, purpose="kumiai.records.audit")


def _changes(before: dict, after: dict) -> dict:
    """{field: {"old": digest, "new": digest}} for the fields whose values differ."""
    return {
        field: {"old": value_digest(before.get(field)), "new": value_digest(after.get(field))}
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


# Member fields and how a typed value is normalised before validation.
_MEMBER_NORMALIZERS = {
    "symbol": normalize_code,
    "number": normalize_code,
    "branch": normalize_code,
    "name": normalize_text,
    "name_kana": normalize_kana,
    "employer": normalize_text,
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
    "acquired_on",
    "lost_on",
    "source_id",
)


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
        for field in MEMBER_FIELDS
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
            "acquired_on": acquired_on,
            "lost_on": lost_on,
            "source_id": source_id or None,
        }
    )
    member = Member(**fields)
    member.full_clean()
    member.save()
    append(
        action="member.create",
        actor=as_actor(by),
        target=member,
        details={"fields": sorted(k for k, v in _member_values(member).items() if v)},
    )
    return member


@transaction.atomic
def member_update(*, member: Member, by: AbstractBaseUser | Actor, **changes) -> Member:
    """Change some of a member's fields (any of `MEMBER_FIELDS`); unchanged fields are no event."""
    unknown = set(changes) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"member_update() got unknown fields: {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = _member_values(member)
    for field, value in normalize_member_fields(changes).items():
        setattr(member, field, value)
    member.full_clean()
    changed = _changes(before, _member_values(member))
    if changed:
        member.save()
        append(
            action="member.update",
            actor=as_actor(by),
            target=member,
            details={"changes": changed},
        )
    return member


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
    record.full_clean()
    record.save()
    append(
        action="record.create",
        actor=as_actor(by),
        target=record,
        details={
            "member": member.pk,
            "category": category.code,
            "fields": sorted(record.payload),
        },
    )
    return record


def _record_values(record: Record) -> dict:
    values = {"member": record.member_id, "category": record.category_id}
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
    record.full_clean()
    changed = _changes(before, _record_values(record))
    if changed:
        record.save()
        append(
            action="record.update",
            actor=as_actor(by),
            target=record,
            details={
                "member": record.member_id,
                "category": record.category.code,
                "changes": changed,
            },
        )
    return record


@transaction.atomic
def restriction_add(
    *,
    member: Member,
    kind: str,
    since: datetime.date,
    by: AbstractBaseUser | Actor,
    category: Category | None = None,
    purpose: Purpose | None = None,
    reference: str = "",
) -> Restriction:
    """Record a 利用停止 (for a category and/or purpose) or a 第三者提供の停止 a member obtained."""
    restriction = Restriction(
        member=member,
        kind=kind,
        category=category,
        purpose=purpose,
        since=since,
        reference=normalize_code(reference),
        created_by=_user(by),
    )
    restriction.full_clean()
    restriction.save()
    append(
        action="restriction.add",
        actor=as_actor(by),
        target=restriction,
        details={
            "member": member.pk,
            "kind": kind,
            "category": category.code if category else None,
            "purpose": purpose.code if purpose else None,
        },
    )
    return restriction


def stops_in_force(*, member: Member, category: Category, on: datetime.date):
    """The 第三者提供の停止 of `member` that cover `category` on day `on`."""
    return Restriction.objects.filter(
        # An empty category means every category; an empty end date, no end.
        Q(category__isnull=True) | Q(category=category),
        Q(until__isnull=True) | Q(until__gte=on),
        member=member,
        kind=Restriction.Kind.STOP_THIRD_PARTY,
        since__lte=on,
    )


@transaction.atomic
def provision_register(
    *,
    member: Member,
    category: Category,
    recipient: str,
    provided_on: datetime.date,
    items: list[str],
    legal_basis: str,
    by: AbstractBaseUser | Actor,
    legal_basis_detail: str = "",
) -> ThirdPartyProvision:
    """Record a provision to a third party (第三者提供記録, APPI Art. 29).

    Refuses with `ProvisionRefused` when the member has obtained a 第三者提供の停止 (Art. 35)
    that covers the category on that day, unless the legal basis is one of the exceptions of
    Art. 27(1), such as 法令に基づく場合, which no stop reaches.
    """
    # The member's row lock orders this check against a concurrent restriction_add.
    Member.objects.select_for_update().filter(pk=member.pk).exists()
    basis = ThirdPartyProvision.LegalBasis(legal_basis)
    stop = None
    if not basis.is_statutory_exception:
        stop = stops_in_force(member=member, category=category, on=provided_on).first()
    if stop is not None:
        raise ProvisionRefused(
            _(
                "この加入者は%(since)sから第三者提供の停止を受けているため、「%(category)s」を"
                "提供できません（本人の同意による提供も停止の対象です）。法令に基づく場合など"
                "第27条第1項の例外に当たるときは、その根拠を選んでください。"
            )
            % {"since": stop.since.isoformat(), "category": category.name}
        )
    provision = ThirdPartyProvision(
        member=member,
        category=category,
        recipient=normalize_text(recipient),
        provided_on=provided_on,
        items=[normalize_text(item) for item in items],
        legal_basis=basis,
        legal_basis_detail=normalize_text(legal_basis_detail),
        created_by=_user(by),
    )
    provision.full_clean()
    provision.save()
    append(
        action="provision.register",
        actor=as_actor(by),
        target=provision,
        details={
            "member": member.pk,
            "category": category.code,
            "legal_basis": basis.value,
            "items": len(provision.items),
        },
    )
    return provision


# Enforcement Rules Art. 21(iii): a 第三者提供記録 is kept three years from the provision
# (the one-year cases of Art. 21(i)-(ii) do not arise for a health insurance society).
PROVISION_RETENTION_YEARS = 3


def provision_kept_until(provided_on: datetime.date) -> datetime.date:
    try:
        return provided_on.replace(year=provided_on.year + PROVISION_RETENTION_YEARS)
    except ValueError:  # 29 February
        return provided_on.replace(year=provided_on.year + PROVISION_RETENTION_YEARS, day=28)


@transaction.atomic
def record_delete(*, record: Record, by: AbstractBaseUser | Actor, reason_ref: str) -> int:
    """Delete a record (消去, APPI Art. 35) and return its id.

    The event keeps the id, the member's id, the category's code and the payload's field
    names: the values leave the database with the row, and the chain still verifies.
    """
    record = Record.objects.select_for_update().select_related("category").get(pk=record.pk)
    pk = record.pk
    append(
        action="record.delete",
        actor=as_actor(by),
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


@transaction.atomic
def member_erase(
    *,
    member: Member,
    by: AbstractBaseUser | Actor,
    reason_ref: str,
    categories: list[Category] | None = None,
) -> list[int]:
    """Erase what the society holds about `member` (APPI Art. 35(1), (2)); return the ids
    of the deleted records.

    With `categories`, the member's records in those categories go. Without, every record
    goes and then the member row itself (name, kana, birth date), with its restrictions,
    provision records and member-level grants. Refused with a Japanese `ValidationError`
    while the law keeps the member: a provision record still within its retention period
    (Rules Art. 20(1) makes it name the person; Art. 21 keeps it three years), or a
    dependent who names this insured person. Rows of higher apps that point at the member
    (requests, complaints) are theirs to let go first. Audited with ids and codes only.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    whole = categories is None
    if whole:
        _check_erasable(member, today=timezone.localdate())
    records = Record.objects.filter(member=member)
    if not whole:
        records = records.filter(category__in=categories)
    deleted = [
        record_delete(record=record, by=by, reason_ref=reason_ref)
        for record in records.select_related("category").order_by("pk")
    ]
    details = {
        "categories": None if whole else sorted(c.code for c in categories),
        "records": len(deleted),
        "reference": normalize_code(reason_ref),
    }
    if whole:
        details["provisions"] = member.provisions.count()
    append(action="member.erase", actor=as_actor(by), target=member, details=details)
    if whole:
        try:
            member.delete()
        except ProtectedError:
            raise ValidationError(
                _("この加入者を参照している記録があるため消去できません。")
            ) from None
    return deleted


def _check_erasable(member: Member, *, today: datetime.date) -> None:
    if member.dependents.exists():
        raise ValidationError(
            _(
                "この被保険者には被扶養者が登録されています。被扶養者の資格を先に整理してから"
                "消去してください。"
            )
        )
    kept = [
        provision_kept_until(provided_on)
        for provided_on in member.provisions.values_list("provided_on", flat=True)
        if provision_kept_until(provided_on) > today
    ]
    if kept:
        raise ValidationError(
            _(
                "第三者提供記録の保存期間中（%(until)sまで）は、本人を特定する事項を消去できません"
                "（個人情報保護法施行規則第20条・第21条）。類型を指定して記録を消去してください。"
            )
            % {"until": max(kept).isoformat()}
        )
