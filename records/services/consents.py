"""A member's consents (APPI Art. 18(1), Art. 27(1)) and opt-outs from an implied consent:
recorded and withdrawn here, audited with ids only; the gate and the provision register
read the ones in force."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from audit.trail import Actor, user_of
from audit.vocabulary import Action
from core import audited
from core.normalize import normalize_code, normalize_text
from purposes.models import Purpose

from ..models import Consent, Member


@transaction.atomic
def consent_record(
    *,
    member: Member,
    kind: str,
    method: str,
    given_on: datetime.date,
    by: AbstractBaseUser | Actor,
    purpose: Purpose | None = None,
    recipient: str = "",
    reference: str = "",
) -> Consent:
    """Record a consent (to a purpose, or with none to provision to the third party named
    `recipient`) or an opt-out from a purpose of implied consent, as the member gave it."""
    consent = Consent(
        member=member,
        kind=kind,
        purpose=purpose,
        recipient=normalize_text(recipient),
        method=method,
        given_on=given_on,
        reference=normalize_code(reference),
        created_by=user_of(by),
    )
    return audited.save(
        consent,
        by=by,
        action=Action.RECORDS_CONSENT_RECORDED,
        details=lambda consent: (
            {
                "member": member.pk,
                "kind": kind,
                "purpose": purpose.code if purpose else None,
                "method": method,
            }
            # The recipient is a name: the event keeps its keyed digest, never the name.
            | ({"recipient": audited.digest(consent.recipient)} if consent.recipient else {})
        ),
    )


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, withdrawn_on: datetime.date, by: AbstractBaseUser | Actor
) -> Consent:
    """Record that the member withdrew `consent` (or their opt-out) from `withdrawn_on`:
    from that day the gate and the provision register no longer count it."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(
            _("この同意は%(on)sに撤回済みです。") % {"on": consent.withdrawn_on.isoformat()}
        )
    consent.withdrawn_on = withdrawn_on
    return audited.save(
        consent,
        by=by,
        action=Action.RECORDS_CONSENT_WITHDRAWN,
        details=lambda consent: {"member": consent.member_id, "kind": consent.kind},
    )


def consents_in_force(
    *, member: Member, on: datetime.date, purpose: Purpose | None, kind: str = Consent.Kind.CONSENT
) -> QuerySet[Consent]:
    """`member`'s consents (or opt-outs) of `kind` for `purpose` (None: provision to third
    parties) in force on `on`: given on or before it, not withdrawn by it."""
    return Consent.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
        member=member,
        kind=kind,
        purpose=purpose,
        given_on__lte=on,
    )
