"""Provisions to third parties (第三者提供記録, APPI Art. 29): registered unless a stop in
force forbids them, and kept three years."""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import Actor, user_of
from audit.vocabulary import Action
from core import audited
from core.normalize import normalize_text
from purposes.models import Category
from purposes.outsourcing import processor_named
from safeguards.models import condition_of

from ..models import Member, ThirdPartyProvision
from .consents import consents_in_force
from .restrictions import stops_in_force


class ProvisionRefused(Exception):
    """A 第三者提供の停止 in force forbids this provision, the recipient is a registered
    processor (a 委託, not a provision), or a provision on consent has no consent in force;
    the message says which, in Japanese."""


def condition_refusal(basis: str, *, confirmed: bool) -> str | None:
    """Art. 27(1)(ii)-(iv), (vii): the need alone is no ground, its condition must hold too.
    Why a provision on `basis` is refused unless that was `confirmed`, or None."""
    if (condition := condition_of(basis)) is None or confirmed:
        return None
    return _(
        "「%(basis)s」による提供は、%(condition)sが条件です。条件に当たることを確かめ、確認の欄に"
        "チェックしてください。当たらないときは、本人の同意を得て提供します。"
    ) % {"basis": ThirdPartyProvision.LegalBasis(basis).article, "condition": condition}


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
    condition_confirmed: bool = False,
) -> ThirdPartyProvision:
    """Record a provision to a third party (第三者提供記録, APPI Art. 29).

    Refuses with `ProvisionRefused` when the member has obtained a 第三者提供の停止 (Art. 35)
    that covers the category on that day, unless the legal basis is one of the exceptions of
    Art. 27(1), such as 法令に基づく場合, which no stop reaches; and a provision on the
    member's consent when no consent to provision (`records.Consent`) is in force that day.
    """
    # APPI Art. 27(5)(i): data entrusted to a processor (委託先, Art. 25) is no provision to a
    # third party; its record is the processor register's, not this one.
    if (processor := processor_named(recipient)) is not None:
        raise ProvisionRefused(
            _(
                "「%(name)s」は委託先として登録されています（法第25条）。委託に伴う提供は"
                "第三者提供に当たらないため（法第27条第5項第1号）、第三者提供記録には登録しません。"
                "委託先の登録簿（委託先）で、委託する類型と項目を確認してください。"
            )
            % {"name": processor.name}
        )
    basis = ThirdPartyProvision.LegalBasis(legal_basis)
    if refusal := condition_refusal(basis, confirmed=condition_confirmed):
        raise ProvisionRefused(refusal)
    # The member's row lock orders this check against a concurrent restriction_add.
    Member.objects.select_for_update().filter(pk=member.pk).exists()
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
    if basis == ThirdPartyProvision.LegalBasis.CONSENT:
        consents = list(consents_in_force(member=member, on=provided_on, purpose=None))
        if not consents:
            raise ProvisionRefused(
                _(
                    "この加入者の第三者提供への同意（法第27条第1項）は、%(on)s時点で登録されて"
                    "いないか撤回されています。同意を得て「本人の同意」に登録してから記録するか、"
                    "同意によらない根拠を選んでください。"
                )
                % {"on": provided_on.isoformat()}
            )
        # The consent covers the recipient it names, and no other (Art. 27(1)).
        if not any(consent.names(recipient) for consent in consents):
            raise ProvisionRefused(
                _(
                    "この加入者の第三者提供への同意（法第27条第1項）は、提供先「%(recipient)s」への"
                    "ものではありません（%(on)s時点で効力のある同意の提供先と一致しません）。"
                    "同意書に記された提供先を確かめ、この提供先への同意を得て「本人の同意」に"
                    "登録してから記録してください。"
                )
                % {"recipient": normalize_text(recipient), "on": provided_on.isoformat()}
            )
    provision = ThirdPartyProvision(
        member=member,
        category=category,
        recipient=normalize_text(recipient),
        provided_on=provided_on,
        items=[normalize_text(item) for item in items],
        legal_basis=basis,
        legal_basis_detail=normalize_text(legal_basis_detail),
        condition_confirmed=bool(condition_of(basis) and condition_confirmed),
        created_by=user_of(by),
    )
    return audited.save(
        provision,
        by=by,
        action=Action.RECORDS_PROVISION_REGISTERED,
        details=lambda provision: (
            {
                "member": member.pk,
                "category": category.code,
                "legal_basis": basis.value,
                "items": len(provision.items),
            }
            | ({"condition": True} if provision.condition_confirmed else {})
        ),
    )


# Enforcement Rules Art. 21(iii): a 第三者提供記録 is kept three years from the provision
# (the one-year cases of Art. 21(i)-(ii) do not arise for a health insurance society).
PROVISION_RETENTION_YEARS = 3


def provision_kept_until(provided_on: datetime.date) -> datetime.date:
    try:
        return provided_on.replace(year=provided_on.year + PROVISION_RETENTION_YEARS)
    except ValueError:  # 29 February
        return provided_on.replace(year=provided_on.year + PROVISION_RETENTION_YEARS, day=28)
