"""Erasing a member (APPI Art. 35): their records in some categories, or everything, while
the law does not keep them."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import Actor, actor_for, append
from audit.vocabulary import Action
from core import wareki
from core.normalize import normalize_code
from purposes.models import Category

from .. import rekeying
from ..models import Member, Record
from .provisions import provision_kept_until
from .records import record_delete


@transaction.atomic
def member_erase(
    *,
    member: Member,
    by: AbstractBaseUser | Actor,
    reason_ref: str,
    categories: list[Category] | None = None,
    record_ids: list[int] | None = None,
    rekey: bool = True,
) -> list[int]:
    """Erase what the society holds about `member` (APPI Art. 35(1), (2)); return the ids
    of the deleted records.

    With `categories` and/or `record_ids`, the member's records in those categories and those
    records go, and nothing else. With neither, every record goes and then the member row
    itself (name, kana, birth date), with its restrictions, provision records and member-level
    grants, and once it commits their data key in the key store, which leaves the sealed
    records of every earlier backup unreadable. A partial erasure of sealed records gives the
    member a new data key once it commits (`records.sealing.rekey`), so the erased records'
    copies in earlier backups no longer open either. Either is tried again by the worker until
    it is done where it cannot be at once (`records.rekeying`). `rekey=False` for a replay on
    a restored copy, whose key store is the live one, already re-keyed. Refused with a
    Japanese `ValidationError` while the law keeps what would go: a record within its
    category's retention period (`Category.retention_years`, the law named); for the whole
    member, a provision record still within its retention period (Rules Art. 20(1) makes it
    name the person; Art. 21 keeps it three years), or a dependent who names this insured
    person. Rows of higher apps that point at the member (requests, complaints) are theirs to
    let go first. Audited with ids and codes only.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    whole = categories is None and record_ids is None
    today = timezone.localdate()
    if whole:
        _check_erasable(member, today=today)
    records = Record.objects.filter(member=member)
    if not whole:
        records = records.filter(Q(category__in=categories or []) | Q(pk__in=record_ids or []))
    check_retention(records.select_related("category"), today=today, lost_on=member.lost_on)
    sealed = not whole and rekey and records.filter(sealed__isnull=False).exists()
    deleted = [
        record_delete(record=record, by=by, reason_ref=reason_ref)
        for record in records.select_related("category").order_by("pk")
    ]
    details = {
        "categories": None if whole else sorted(c.code for c in categories or []),
        "records": len(deleted),
        "reference": normalize_code(reason_ref),
    }
    if whole:
        details["provisions"] = member.provisions.count()
    append(action=Action.RECORDS_MEMBER_ERASED, actor=actor_for(by), target=member, details=details)
    if whole:
        member_id = member.pk  # delete() sets it to None
        try:
            member.delete()
        except ProtectedError:
            raise ValidationError(
                _("この加入者を参照している記録があるため消去できません。")
            ) from None
        # Their data key goes once this commits: whatever backup of the main database holds
        # their sealed records, it holds them unreadable (records.keystore).
        rekeying.destroy_on_commit(member_id)
    elif sealed:
        rekeying.rekey_on_commit(member.pk)
    return deleted


def kept_by_law(
    records, *, today: datetime.date, lost_on: datetime.date | None = None
) -> list[tuple[datetime.date, int, str]]:
    """(last day, id, law) of each of `records` (with their categories; of one member, who
    lost membership on `lost_on` or is still a member) that the law keeps on `today`, soonest
    first: within its category's retention period (`Category.kept_until`, the rule of the
    disposal schedule), under the law the register names for the category."""
    # The periods that run from the record's date (receipts) or from its fiscal year (特定健診
    # and 特定保健指導, 基準第10条, shortened by a loss of membership) keep a record here, each
    # under the law the register names for its category. One that runs from the loss of
    # membership (資格) has not started for a member: the disposal schedule keeps it.
    return sorted(
        (until, record.pk, record.category.retention_basis)
        for record in records
        if record.category.retention_from != Category.RetentionFrom.LOSS
        and (until := record.category.kept_until(record.date, lost_on=lost_on))
        and until >= today
    )


def check_retention(records, *, today: datetime.date, lost_on: datetime.date | None = None) -> None:
    """Refuse with a Japanese `ValidationError` naming the law, the ids and the last day, if
    any of `records` is one the law keeps (`kept_by_law`)."""
    if kept := kept_by_law(records, today=today, lost_on=lost_on):
        raise ValidationError(
            _(
                "法令により保存が必要な記録は消去できません（記録ID %(ids)s、%(basis)sにより"
                "%(until)sまで保存）。"
            )
            % {
                "ids": ", ".join(str(pk) for _until, pk, _basis in kept),
                "basis": "・".join(dict.fromkeys(basis for *_rest, basis in kept)),
                "until": wareki.format_wareki(kept[-1][0]),
            }
        )


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
