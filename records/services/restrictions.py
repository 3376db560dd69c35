"""Restrictions a member obtained (利用停止, 第三者提供の停止), and the stops in force on a day."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from audit.trail import Actor, user_of
from audit.vocabulary import Action
from core import audited
from core.normalize import normalize_code
from purposes.models import Category, Purpose

from ..models import Member, Restriction


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
        created_by=user_of(by),
    )
    return audited.save(
        restriction,
        by=by,
        action=Action.RECORDS_RESTRICTION_ADDED,
        details=lambda restriction: {
            "member": member.pk,
            "kind": kind,
            "category": category.code if category else None,
            "purpose": purpose.code if purpose else None,
        },
    )


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
