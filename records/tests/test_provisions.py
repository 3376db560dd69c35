import datetime

import pytest
from django.contrib.auth import get_user_model

from audit.models import Event
from audit.vocabulary import Action
from records.models import Consent, Restriction, ThirdPartyProvision
from records.services import (
    ProvisionRefused,
    consent_record,
    provision_register,
    restriction_add,
)
from records.tests.factories import MemberFactory, category

pytestmark = pytest.mark.django_db

Basis = ThirdPartyProvision.LegalBasis


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("officer", is_staff=True)


@pytest.fixture
def receipts():
    return category("receipts")


def _provide(member, receipts, officer, basis, on=datetime.date(2026, 5, 1)):
    return provision_register(
        member=member,
        category=receipts,
        recipient="東京地方裁判所",
        provided_on=on,
        items=["診療年月", "医療機関名", "点数"],
        legal_basis=basis,
        legal_basis_detail="民事訴訟法第226条（文書送付嘱託）",
        by=officer,
    )


def _consenting(officer):
    """A member whose consent to provision (Art. 27(1)) has been on file since 2020."""
    member = MemberFactory()
    consent_record(
        member=member,
        kind=Consent.Kind.CONSENT,
        method=Consent.Method.WRITING,
        given_on=datetime.date(2020, 1, 1),
        recipient="東京地方裁判所",
        by=officer,
    )
    return member


def _stop(member, officer, *, category=None, since=datetime.date(2026, 4, 1)):
    return restriction_add(
        member=member,
        kind=Restriction.Kind.STOP_THIRD_PARTY,
        category=category,
        since=since,
        reference="R-2026-0001",
        by=officer,
    )


def test_it_registers_a_provision_with_its_audit_event(officer, receipts):
    member = _consenting(officer)

    provision = _provide(member, receipts, officer, Basis.CONSENT)

    assert ThirdPartyProvision.objects.get() == provision
    assert provision.created_by == officer
    event = Event.objects.get(action=Action.RECORDS_PROVISION_REGISTERED)
    assert event.target_id == str(provision.pk)
    assert event.details == {
        "member": member.pk,
        "category": "receipts",
        "legal_basis": "consent",
        "items": 3,
    }


def test_it_refuses_a_provision_by_consent_under_a_stop(officer, receipts):
    member = MemberFactory()
    _stop(member, officer)

    with pytest.raises(ProvisionRefused, match="第三者提供の停止"):
        _provide(member, receipts, officer, Basis.CONSENT)

    assert not ThirdPartyProvision.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_PROVISION_REGISTERED).exists()


def test_it_allows_a_provision_required_by_law_under_a_stop(officer, receipts):
    # APPI Art. 27(1)(i): 法令に基づく場合 needs no consent, so a stop does not reach it.
    member = MemberFactory()
    _stop(member, officer)

    provision = _provide(member, receipts, officer, Basis.LAW)

    assert ThirdPartyProvision.objects.get().legal_basis == "law"
    assert provision.legal_basis_detail == "民事訴訟法第226条(文書送付嘱託)"  # NFKC


def test_it_applies_a_stop_only_to_its_category_and_from_its_date(officer, receipts):
    member = _consenting(officer)
    _stop(member, officer, category=category("health-checks"), since=datetime.date(2026, 4, 1))
    _stop(_consenting(officer), officer)

    _provide(member, receipts, officer, Basis.CONSENT)
    with pytest.raises(ProvisionRefused):
        provision_register(
            member=member,
            category=category("health-checks"),
            recipient="株式会社健診データ",
            provided_on=datetime.date(2026, 4, 1),
            items=["受診日"],
            legal_basis=Basis.CONSENT,
            by=officer,
        )
    _provide(_consenting(officer), receipts, officer, Basis.CONSENT, on=datetime.date(2026, 3, 31))

    assert ThirdPartyProvision.objects.count() == 2


def test_it_ignores_a_stop_that_has_ended(officer, receipts):
    member = _consenting(officer)
    stop = _stop(member, officer)
    Restriction.objects.filter(pk=stop.pk).update(until=datetime.date(2026, 4, 30))

    _provide(member, receipts, officer, Basis.CONSENT, on=datetime.date(2026, 5, 1))

    assert ThirdPartyProvision.objects.count() == 1
