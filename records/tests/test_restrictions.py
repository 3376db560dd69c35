import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from purposes.tests.factories import PurposeFactory
from records.models import Restriction
from records.services import restriction_add
from records.tests.factories import MemberFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return get_user_model().objects.create_user("officer", is_staff=True)


def test_it_records_a_suspension_for_a_category_and_purpose(officer):
    member = MemberFactory()
    checks = category("health-checks")
    analysis = PurposeFactory(code="checkup-result-analysis")

    restriction = restriction_add(
        member=member,
        kind=Restriction.Kind.SUSPEND_USE,
        category=checks,
        purpose=analysis,
        since=datetime.date(2026, 4, 1),
        reference="Ｒ－２０２６－０００２",
        by=officer,
    )

    stored = Restriction.objects.get()
    assert (stored.category, stored.purpose, stored.created_by) == (checks, analysis, officer)
    assert stored.reference == "R-2026-0002"
    event = Event.objects.get(action=Action.RECORDS_RESTRICTION_ADDED)
    assert event.target_id == str(restriction.pk)
    assert event.details == {
        "member": member.pk,
        "kind": "suspend_use",
        "category": "health-checks",
        "purpose": "checkup-result-analysis",
    }


def test_it_refuses_a_purpose_on_a_third_party_stop(officer):
    with pytest.raises(ValidationError) as refused:
        restriction_add(
            member=MemberFactory(),
            kind=Restriction.Kind.STOP_THIRD_PARTY,
            purpose=PurposeFactory(),
            since=datetime.date(2026, 4, 1),
            by=officer,
        )

    assert "purpose" in refused.value.message_dict
    assert not Restriction.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_RESTRICTION_ADDED).exists()
