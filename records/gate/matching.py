"""Matching: `match_insured`, the one read of member data outside an access.

It answers a member's primary key or None, never a row, and never without its
`access.matched` event in the caller's transaction, as the act of whoever typed the number:
the member of staff who did, or the system for the public form.
"""

from django.db import models, transaction

from audit.trail import PUBLIC, SYSTEM, By, actor_for, append
from audit.vocabulary import Action
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
