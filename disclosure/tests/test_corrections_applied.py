"""訂正 (APPI Art. 34(2)): a granted correction of the member's own row is applied through the
gate's services with digests in the trail; one that cannot be applied stops the completion."""

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import Kind, Letter, Request
from records import gate
from records.models import Member, Record

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


def test_art34_3_the_completion_letter_says_what_was_corrected(member, officer):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    items = [
        {"kind": Kind.CORRECTION, "granted": True, "field": "name", "new_value": "訂正後花子"},
        {
            "kind": Kind.CORRECTION,
            "granted": True,
            "record_id": next(r for r in Record.objects.all() if r.title == "消去用の健診記録").pk,
            "field": "facility",
            "new_value": "訂正後の健診センター",
        },
    ]
    with gate.ledger():
        request = answer(request, member, officer, items, close=False)
    letter = request.letters.get(kind=Letter.Kind.COMPLETION)
    text = "".join(page.extract_text() for page in PdfReader(letter.file.open()).pages)
    assert "訂正の内容（法第34条第3項）" in text
    assert "氏名" in text and "訂正後花子" in text
    assert "健診機関" in text and "訂正後の健診センター" in text
