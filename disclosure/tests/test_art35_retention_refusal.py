"""A 消去 refused on 「法令により保存が義務付けられている」 is checked against the register (APPI
Art. 35, Art. 36): the law must be the one the register names for the item's category, the
category must have a retention period, and what is refused must still be within it, by the
rule the carry-out and the disposal schedule read (`Category.kept_until`). Refused beside the
field on the decision page, and by the decision itself for every other entry point; the letter
names the law as the register spells it. Proved by what the officer sees and the letter read
back from its PDF."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from disclosure.models import DecisionItem, Kind, Request
from records.models import Record
from records.tests.factories import RecordFactory

from .test_admin_moves import move
from .test_art35_decisions import decide, filed, letter

pytestmark = pytest.mark.django_db
State = Request.State
Case, Ground = DecisionItem.Case, DecisionItem.Ground
RECEIPT_LAW = "健康保険法第58条・民法第166条第1項"
KIJUN = "特定健康診査及び特定保健指導の実施に関する基準第10条"
REASON = "療養の給付の返還請求の証拠として保存します。"


@pytest.fixture
def recent(member, register):
    """A receipt of this year: kept five years from its date (健康保険法第58条)."""
    return RecordFactory(
        member=member, category=register["receipts"], date=datetime.date(2026, 4, 1)
    )


def refusal(prefix="items-0", **fields) -> dict:
    """An erasure's row on the page (`prefix`), refused on the retention ground."""
    values = {
        "granted": "no",
        "case": Case.NO_LONGER_NEEDED,
        "ground": Ground.RETENTION,
        "reason": REASON,
        **fields,
    }
    return {"reasons": "", **{f"{prefix}-{name}": value for name, value in values.items()}}


def beside(html: str, field: str) -> str:
    """The text of the page's block for the first row's `field`: its input and its errors."""
    start = html.index(f'name="items-0-{field}"')
    end = html.find('<div class="decision-field', start)
    return re.sub(r"<[^>]+>", "", html[start:end])


def test_art35_retention_refusal_naming_a_law_the_register_does_not_hold_is_refused_beside_it(
    sign_in, member, officer, recent
):
    request = filed(member, Kind.ERASURE)
    data = refusal(record_id=str(recent.pk), retention_law="高齢者の医療の確保に関する法律第22条")
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    assert response.status_code == 200
    said = beside(response.content.decode(), "retention_law")
    assert (
        "「高齢者の医療の確保に関する法律第22条」は、登録簿が「レセプトに関する情報」の保存の根拠"
        f"とする法令ではありません。「{RECEIPT_LAW}」と書くか、一覧から選んでください。" in said
    )
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_retention_refusal_of_a_category_without_a_retention_period_is_refused(
    sign_in, member, officer, register
):
    accounts = register["bank-accounts"]
    assert accounts.retention_years is None and not accounts.retention_basis
    RecordFactory(member=member, category=accounts, title="給付金振込口座")
    request = filed(member, Kind.ERASURE)
    data = refusal(category=str(accounts.pk), retention_law=RECEIPT_LAW)
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    said = beside(response.content.decode(), "ground")
    assert (
        "「加入者の口座情報」には、法令による保存期間が登録されていません。"
        "「法令により保存が義務付けられている」を根拠に認めない決定にはできません。" in said
    )
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_retention_refusal_of_a_record_past_its_period_is_refused(
    sign_in, member, officer, register
):
    """The member's receipt of May 2019 was kept until 30 May 2024 (five years from its
    date): the law keeps it no longer, so it cannot be refused on that ground."""
    old = member.records.get(category=register["receipts"])
    request = filed(member, Kind.ERASURE)
    data = refusal(record_id=str(old.pk), retention_law=RECEIPT_LAW)
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    said = beside(response.content.decode(), "ground")
    assert (
        f"記録ID {old.pk} は、{RECEIPT_LAW}による保存期間（令和6年5月30日まで）を過ぎています。"
        in said
    )
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_retention_refusal_of_a_former_members_check_past_kijun_article_10_is_refused(
    member, officer, register
):
    """基準第10条 as the carry-out and the disposal schedule read it: a member who left in
    fiscal 2023 had this year's check kept only to 31 March 2025."""
    member.lost_on = datetime.date(2023, 9, 30)
    member.save()
    check = RecordFactory(
        member=member, category=register["health-checks"], date=datetime.date(2023, 6, 1)
    )
    item = {
        "kind": Kind.ERASURE,
        "granted": False,
        "case": Case.NO_LONGER_NEEDED,
        "record_id": check.pk,
        "ground": Ground.RETENTION,
        "retention_law": KIJUN,
        "reason": "特定健診の記録は保存します。",
    }
    request = filed(member, Kind.ERASURE)
    with pytest.raises(ValidationError) as refused:
        decide(request, officer, item)
    assert (
        f"記録ID {check.pk} は、{KIJUN}による保存期間（令和7年3月31日まで）を過ぎています。"
        in (refused.value.message_dict["ground"][0])
    )
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_retention_refusal_on_an_added_row_is_refused_beside_its_field(
    sign_in, member, officer, recent, register
):
    """An added row is checked as the first: a category whose records are all past."""
    request = filed(member, Kind.ERASURE)
    old = member.records.get(category=register["receipts"], date=datetime.date(2019, 5, 31))
    data = {
        **refusal(
            f"added-{Kind.ERASURE}-0",
            category=str(register["health-checks"].pk),
            retention_law=KIJUN,
        ),
        "items-0-granted": "yes",
        "items-0-case": Case.NO_LONGER_NEEDED,
        "items-0-record_id": str(old.pk),  # past its five years: may go
    }
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    html = response.content.decode()
    block = html[html.index(f'name="added-{Kind.ERASURE}-0-ground"') :]
    block = re.sub(r"<[^>]+>", "", block[: block.index('<div class="decision-field')])
    assert "「健康診査に関する情報」に、法令により保存期間中の記録はありません。" in block
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_retention_refusal_names_the_law_in_the_letter_as_the_register_spells_it(
    sign_in, member, officer, recent
):
    """Typed with full-width digits and a space, the law is the register's: the letter names
    it as the register does."""
    request = filed(member, Kind.ERASURE)
    typed = "健康保険法第５８条・民法第１６６条 第１項"
    data = refusal(record_id=str(recent.pk), retention_law=typed)
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    (item,) = request.items.all()
    assert (item.ground, item.retention_law) == (Ground.RETENTION, RECEIPT_LAW)
    text = letter(request)
    assert (
        f"消去記録ID{recent.pk}実施しません。請求の事由（法第35条第5項）：利用する必要がなくなった"
        f"根拠：法令により保存が義務付けられている（{RECEIPT_LAW}）理由：{REASON}" in text
    )
    assert "５８" not in text
    assert Record.objects.filter(pk=recent.pk).exists()


def test_art35_retention_refusal_of_everything_names_a_law_that_keeps_a_record_held(
    member, officer, recent
):
    """No category, no record: the whole member. The law must keep one of the records held;
    the receipts' law does, 特定健診's keeps none of hers (the check of 2019 is past)."""
    item = {
        "kind": Kind.ERASURE,
        "granted": False,
        "case": Case.NO_LONGER_NEEDED,
        "ground": Ground.RETENTION,
        "reason": REASON,
    }
    request = filed(member, Kind.ERASURE)
    with pytest.raises(ValidationError) as refused:
        decide(request, officer, {**item, "retention_law": KIJUN})
    assert refused.value.message_dict["retention_law"] == [
        f"「{KIJUN}」は、登録簿が保存期間中の記録の保存の根拠とする法令ではありません。"
        f"「{RECEIPT_LAW}」と書くか、一覧から選んでください。"
    ]
    request = decide(request, officer, {**item, "retention_law": RECEIPT_LAW})
    assert request.state == State.DECIDED
    assert f"根拠：法令により保存が義務付けられている（{RECEIPT_LAW}）" in letter(request)
