"""訂正 (APPI Art. 34(2)): a granted correction of the member's own row is applied through the
gate's services with digests in the trail; one that cannot be applied stops the completion."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import DecisionItem, Kind, Letter, Request
from records import gate
from records.models import Member, Record
from tests.pdf import pdf_text

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
    text = pdf_text(letter.file.open())
    assert "訂正の内容（法第34条第3項）" in text
    assert "氏名" in text and "訂正後花子" in text
    assert "健診機関" in text and "訂正後の健診センター" in text


def _checkup() -> Record:
    return next(r for r in Record.objects.all() if r.title == "消去用の健診記録")


def _letter_text(request: Request) -> str:
    letter = request.letters.get(kind=Letter.Kind.COMPLETION)
    return pdf_text(letter.file.open())


def test_art34_1_an_addition_fills_an_empty_field_and_a_deletion_removes_one(member, officer):
    checkup = _checkup()
    checkup.payload = {**checkup.payload, "hba1c": 5.6}
    checkup.save()
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    items = [
        {
            "kind": Kind.CORRECTION,
            "granted": True,
            "correction": DecisionItem.Correction.ADD,
            "record_id": checkup.pk,
            "field": "waist_cm",
            "new_value": "84.5",
        },
        {
            "kind": Kind.CORRECTION,
            "granted": True,
            "correction": DecisionItem.Correction.DELETE,
            "record_id": checkup.pk,
            "field": "hba1c",
        },
    ]
    with gate.ledger():
        request = answer(request, member, officer, items, close=False)

    checkup = Record.objects.get(pk=checkup.pk)
    assert checkup.payload["waist_cm"] == 84.5 and "hba1c" not in checkup.payload
    text = _letter_text(request)
    assert "腹囲（cm）" in text and "追加：84.5" in text
    assert "HbA1c（%）" in text and "削除しました" in text


def test_art34_1_a_deletion_the_schema_needs_is_refused_in_words(member, officer):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    item = {
        "kind": Kind.CORRECTION,
        "granted": True,
        "correction": DecisionItem.Correction.DELETE,
        "record_id": _checkup().pk,
        "field": "bmi",
    }
    with gate.ledger(), pytest.raises(ValidationError, match="「BMI」を入力してください"):
        answer(request, member, officer, [item])


def test_art34_1_an_addition_where_a_value_stands_is_refused(member, officer):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    item = {
        "kind": Kind.CORRECTION,
        "granted": True,
        "correction": DecisionItem.Correction.ADD,
        "record_id": _checkup().pk,
        "field": "facility",
        "new_value": "別の健診センター",
    }
    with gate.ledger(), pytest.raises(ValidationError, match="既に内容があります"):
        answer(request, member, officer, [item])


def test_art34_1_a_deletion_of_a_whole_wrong_record_removes_it_and_keeps_the_member(
    member, officer
):
    request = filed_for(member, kinds=[Kind.CORRECTION], grounds="")
    wrong = _checkup()
    item = {
        "kind": Kind.CORRECTION,
        "granted": True,
        "correction": DecisionItem.Correction.DELETE,
        "record_id": wrong.pk,
    }
    with gate.ledger():
        request = answer(request, member, officer, [item], close=False)

    assert not Record.objects.filter(pk=wrong.pk).exists()
    assert Member.objects.filter(pk=member.pk).exists()  # the member and the rest stay
    assert Record.objects.filter(member=member).exists()
    assert f"記録ID {wrong.pk}" in _letter_text(request) and "削除しました" in _letter_text(request)
