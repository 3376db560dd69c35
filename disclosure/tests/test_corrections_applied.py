"""訂正 (APPI Art. 34(2)): a granted correction of the member's own row is applied through the
gate's services with digests in the trail; one that cannot be applied stops the completion."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import Kind, Request
from records import gate
from records.models import Member

from .conftest import NAME
from .test_erasure import answer, filed_for

pytestmark = pytest.mark.django_db


def test_art34_2_a_granted_correction_of_the_name_is_applied(member, officer):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    item = {"kind": Kind.CORRECTION, "granted": True, "field": "name", "new_value": "訂正後花子"}
    with gate.ledger():
        answer(request, member, officer, [item])
    assert Member.objects.get(pk=member.pk).name == "訂正後花子"
    (changed,) = Event.objects.filter(action=Action.RECORDS_MEMBER_CHANGED)
    assert list(changed.details["changes"]) == ["name"]
    assert "訂正後花子" not in str(changed.details) and NAME not in str(changed.details)


def test_art34_2_a_granted_correction_that_cannot_be_applied_is_not_carried_out(member, officer):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    item = {"kind": Kind.CORRECTION, "granted": True, "field": "", "new_value": "何か"}
    with gate.ledger(), pytest.raises(ValidationError, match="訂正を認めた明細"):
        answer(request, member, officer, [item])
    request.refresh_from_db()
    assert request.state == Request.State.DECIDED
