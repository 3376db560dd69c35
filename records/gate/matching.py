"""Matching: `match_insured` and `names_insured`, the reads of member data outside an access.

Each answers a member's primary key (or None, or a yes or no), never a row, and never without
its `access.matched` event in the caller's transaction, as the act of whoever typed the
number: the member of staff who did, or the system for the public form.
"""

from django.db import models, transaction

from audit.trail import PUBLIC, SYSTEM, By, actor_for, append
from audit.vocabulary import Action
from core.normalize import fold_name
from records.models import Member


def match_insured(*, symbol: str, number: str, target: models.Model, by: By) -> int | None:
    """The id of the one insured person (本人) with this 記号・番号, or None; audited.

    With no purpose and no scope: whoever filed `target` (a saved row, the event's target)
    named a card, and the society links the filing to its holder. The event's actor is `by`,
    the staff member who typed the number; for the public form (`PUBLIC`), the system that
    links it. Whether it linked is the caller's to keep from anyone the member's scope does
    not cover (`complaints.admin`). Only the id comes back, so nothing of the member is read out,
    and only when exactly one 本人 holds the number: where two do (a register to be put
    right), a guess could link the wrong person. Appends `access.matched` in the caller's
    transaction; the details name the fields compared, never their values. A blank
    symbol or number is not looked up and leaves no event.
    """
    if target.pk is None:
        raise ValueError("a match is recorded against a saved target")
    if not (symbol and number):
        return None
    with transaction.atomic(savepoint=False):  # the match and its event, or neither
        ids = list(
            Member.objects.filter(
                symbol=symbol, number=number, relationship=Member.Relationship.SELF
            ).values_list("pk", flat=True)[:2]
        )
        member_id = ids[0] if len(ids) == 1 else None
        append(
            action=Action.RECORDS_ACCESS_MATCHED,
            actor=SYSTEM if by is PUBLIC else actor_for(by),
            target=target,
            details={
                "fields": ["number", "symbol"],
                "matched": member_id is not None,
                "members": [member_id] if member_id is not None else [],
            },
        )
    return member_id


def names_insured(*, dependent: Member, name: str, kana: str, target: models.Model, by: By) -> bool:
    """Whether `name` or `kana`, as a filing gives them, are those of the insured person
    (被保険者) of `dependent`'s card rather than the dependent's own (both folded,
    `core.normalize.fold_name`): the insured person filed about the dependent.

    The insured person is another member, outside the access that reads the dependent (a
    request's statutory access reads its one member): compared here, nothing of theirs is
    read out. Appends `access.matched` in the caller's transaction: the fields compared,
    whether they named the insured person and their id, never a value. False, with no
    event, for a member who is no dependent.
    """
    if dependent.insured_id is None:
        return False
    with transaction.atomic(savepoint=False):  # the comparison and its event, or neither
        insured = Member.objects.only("name", "name_kana").get(pk=dependent.insured_id)
        named = any(
            filed and fold_name(filed) == fold_name(theirs) != fold_name(own)
            for filed, theirs, own in (
                (name, insured.name, dependent.name),
                (kana, insured.name_kana, dependent.name_kana),
            )
        )
        append(
            action=Action.RECORDS_ACCESS_MATCHED,
            actor=actor_for(by),
            target=target,
            details={
                "fields": ["name", "name_kana"],
                "matched": named,
                "members": [insured.pk] if named else [],
            },
        )
    return named
