"""Protected members (DV, stalking, child abuse): set and lifted by the privacy officer.

The MHLW guidance for health insurance societies and the 支援措置 practice under the DV 防止法:
the society tells nothing of a protected member to the person named, whoever that person
is to them (the insured person of the same card, a parent, a spouse acting as agent). The
events carry ids and the basis only: the names of those persons are personal data.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import Actor, user_of
from audit.vocabulary import Action
from core import audited
from core.normalize import normalize_text
from safeguards.roles import Role, has_role

from ..models import Member, Protection


def _require_officer(by) -> None:
    if not has_role(by, Role.PRIVACY_OFFICER):
        raise PermissionDenied(_("保護措置の登録と解除は個人情報取扱責任者が行います。"))


@transaction.atomic
def protection_set(
    *,
    member: Member,
    basis: str,
    since: datetime.date,
    persons: str,
    by: AbstractBaseUser | Actor,
    until: datetime.date | None = None,
) -> Protection:
    """Protect `member` from the persons named, on `basis`, from `since` (to `until`)."""
    _require_officer(by)
    protection = Protection(
        member=member,
        basis=basis,
        since=since,
        until=until,
        persons=normalize_text(persons),
        created_by=user_of(by),
    )
    return audited.save(
        protection,
        by=by,
        action=Action.RECORDS_PROTECTION_SET,
        details=lambda protection: {"member": member.pk, "basis": basis},
    )


@transaction.atomic
def protection_lift(
    *, protection: Protection, until: datetime.date, by: AbstractBaseUser | Actor
) -> Protection:
    """End the protection on `until` (its last day)."""
    _require_officer(by)
    protection.until = until
    return audited.save(
        protection,
        by=by,
        action=Action.RECORDS_PROTECTION_LIFTED,
        details=lambda protection: {"member": protection.member_id},
    )
