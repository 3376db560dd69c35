"""利用停止・消去・第三者提供の停止 decided per item (APPI Art. 35, Art. 36): in one request the
officer grants the stop or the erasure for one category, record or purpose and refuses it for
another, each with its own case, ground and reason, on the decision page's added rows; the
letter lists every item with its outcome, and the carry-out does exactly what was granted.
Proved by what a person sees: the letter read back from its PDF, the records a handler's
screen still shows, the records left."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from disclosure.models import DecisionItem, Kind, Request
from purposes.register import purposes_for
from records.models import Record, Restriction
from records.tests.factories import RecordFactory

from .test_admin_moves import move
from .test_art35_decisions import carry_out, decide, filed, letter, shown_to

pytestmark = pytest.mark.django_db
State = Request.State
Case, Ground = DecisionItem.Case, DecisionItem.Ground
RECEIPT_LAW = "健康保険法第58条・民法第166条第1項"


def test_art35_1_suspension_granted_for_one_category_refused_for_another(
    member, officer, handler_kenshin, register
):
    checks, receipts = register["health-checks"], register["receipts"]
    request = decide(
        filed(member, Kind.SUSPENSION),
        officer,
        {"kind": Kind.SUSPENSION, "granted": True, "case": Case.OUT_OF_PURPOSE, "category": checks},
        {
            "kind": Kind.SUSPENSION,
            "granted": False,
            "case": Case.NO_LONGER_NEEDED,
            "category": receipts,
            "ground": Ground.NO_REASON,
            "reason": "レセプトは療養の給付の審査に今も必要です。",
        },
    )
    assert request.outcome == Request.Outcome.PARTIAL
    text = letter(request)
    granted = text.index("利用停止健康診査に関する情報請求のとおり実施します。")
    refused = text.index("利用停止レセプトに関する情報実施しません。")
    assert granted < refused
    assert "請求の事由（法第35条第1項）：目的外利用（法第18条）" in text
    assert "理由：レセプトは療養の給付の審査に今も必要です。" in text

    carry_out(request, officer)
    assert [(r.kind, r.category) for r in Restriction.objects.filter(member=member)] == [
        (Restriction.Kind.SUSPEND_USE, checks)
    ]
    checks_purpose = purposes_for(category_ids=[checks.pk], on=timezone.localdate())[0]
    assert shown_to(handler_kenshin, member, purpose=checks_purpose.code) == []
    assert member.records.filter(category=receipts).exists()


def test_art35_1_suspension_granted_for_one_purpose_refused_for_another(
    member, officer, handler_kenshin, register
):
    checks = register["health-checks"]
    analysis, other = purposes_for(category_ids=[checks.pk], on=timezone.localdate())[:2]
    request = decide(
        filed(member, Kind.SUSPENSION),
        officer,
        {
            "kind": Kind.SUSPENSION,
            "granted": True,
            "case": Case.OUT_OF_PURPOSE,
            "category": checks,
            "purpose": analysis,
        },
        {
            "kind": Kind.SUSPENSION,
            "granted": False,
            "case": Case.OUT_OF_PURPOSE,
            "category": checks,
            "purpose": other,
            "ground": Ground.NO_REASON,
            "reason": "この利用目的は公表した利用目的の範囲内です。",
        },
    )
    text = letter(request)
    assert f"（利用目的：{analysis.name}）請求のとおり実施します。" in text
    assert f"（利用目的：{other.name}）実施しません。" in text

    carry_out(request, officer)
    assert shown_to(handler_kenshin, member, purpose=analysis.code) == []
    assert shown_to(handler_kenshin, member, purpose=other.code) == ["消去用の健診記録"]


def test_art35_5_erasure_granted_for_one_record_refused_for_another_on_the_page(
    sign_in, member, officer, register
):
    """The decide page's added rows: the old receipt is erased, the recent one the law keeps
    is refused naming the law, the health check nobody decided about stays."""
    old = member.records.get(category=register["receipts"])
    recent = RecordFactory(
        member=member, category=register["receipts"], date=timezone.localdate(), title="今月分"
    )
    request = filed(member, Kind.ERASURE)
    data = {
        "reasons": "",
        "items-0-granted": "yes",
        "items-0-case": Case.NO_LONGER_NEEDED,
        "items-0-record_id": str(old.pk),
        f"added-{Kind.ERASURE}-0-granted": "no",
        f"added-{Kind.ERASURE}-0-case": Case.NO_LONGER_NEEDED,
        f"added-{Kind.ERASURE}-0-record_id": str(recent.pk),
        f"added-{Kind.ERASURE}-0-ground": Ground.RETENTION,
        f"added-{Kind.ERASURE}-0-retention_law": RECEIPT_LAW,
        f"added-{Kind.ERASURE}-0-reason": "療養の給付の返還請求の証拠として保存します。",
    }
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert [(i.granted, i.record_id) for i in request.items.all()] == [
        (True, old.pk),
        (False, recent.pk),
    ]
    text = letter(request)
    assert f"消去記録ID{old.pk}請求のとおり実施します。" in text
    assert (
        f"消去記録ID{recent.pk}実施しません。請求の事由（法第35条第5項）：利用する必要がなくなった"
        f"根拠：法令により保存が義務付けられている（{RECEIPT_LAW}）" in text
    )

    carry_out(request, officer)
    assert not Record.objects.filter(pk=old.pk).exists()
    assert Record.objects.filter(pk=recent.pk).exists()
    assert member.records.filter(category=register["health-checks"]).exists()


@pytest.mark.parametrize(
    "granted",
    [
        {},  # every category, every purpose
        {"category": "checks"},  # the category, every purpose
        {"category": "checks", "purpose": "analysis"},  # the very same
    ],
)
def test_art35_a_grant_that_covers_a_refused_item_of_its_kind_is_refused(
    member, officer, register, granted
):
    checks = register["health-checks"]
    analysis = purposes_for(category_ids=[checks.pk], on=timezone.localdate())[0]
    request = filed(member, Kind.SUSPENSION)
    with pytest.raises(ValidationError) as refused:
        decide(
            request,
            officer,
            {
                "kind": Kind.SUSPENSION,
                "granted": True,
                "case": Case.OUT_OF_PURPOSE,
                **{
                    name: {"checks": checks, "analysis": analysis}[v] for name, v in granted.items()
                },
            },
            {
                "kind": Kind.SUSPENSION,
                "granted": False,
                "category": checks,
                "purpose": analysis,
                "ground": Ground.NO_REASON,
                "reason": "理由がありません。",
            },
        )
    assert "分けて決定してください" in refused.value.messages[0]
    request.refresh_from_db()
    assert request.state == State.REVIEW and not request.items.exists()


def test_art35_a_grant_of_a_category_covers_a_refused_record_in_it(member, officer, register):
    kept = member.records.get(category=register["receipts"])
    with pytest.raises(ValidationError, match="分けて決定してください"):
        decide(
            filed(member, Kind.ERASURE),
            officer,
            {
                "kind": Kind.ERASURE,
                "granted": True,
                "case": Case.NO_LONGER_NEEDED,
                "category": register["receipts"],
            },
            {
                "kind": Kind.ERASURE,
                "granted": False,
                "record_id": kept.pk,
                "ground": Ground.NO_REASON,
                "reason": "理由がありません。",
            },
        )


KIND = Kind.SUSPENSION


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({"reason": "書いただけ"}, "この明細を認めるか認めないかを選んでください。"),
        ({"granted": "yes", "case": Case.OUT_OF_PURPOSE}, "類型・記録・利用目的のいずれかを"),
        ({"granted": "no", "category": "{checks}"}, "認めない根拠を選んでください。"),
        (
            {"granted": "no", "category": "{checks}", "ground": Ground.NO_REASON},
            "認めない理由を書いてください（法第36条）。",
        ),
        ({"granted": "maybe", "category": "{checks}"}, "正しく選択してください"),
        ({"granted": "yes", "category": "{checks}"}, "請求の事由を選んでください（法第35条）"),
        (
            {"granted": "no", "category": "{checks}", "ground": Ground.RETENTION, "reason": "x"},
            "の請求を認めない根拠として選べるものから選んでください。",
        ),
    ],
)
def test_art36_an_added_row_without_its_decision_target_ground_or_reason_is_refused_beside_it(
    sign_in, member, officer, register, row, said
):
    request = filed(member, KIND)
    values = {
        f"added-{KIND}-0-{name}": value.format(checks=register["health-checks"].pk)
        for name, value in row.items()
    }
    response, _said = move(
        sign_in(officer),
        request,
        State.DECIDED,
        {"reasons": "", "items-0-granted": "yes", "items-0-case": Case.OUT_OF_PURPOSE, **values},
    )
    assert response.status_code == 200
    assert request.state == State.REVIEW and not request.items.exists()
    assert said in response.content.decode()


def test_art35_added_rows_left_empty_decide_nothing(sign_in, member, officer):
    request = filed(member, Kind.SUSPENSION, Kind.THIRD_PARTY_STOP)
    page = sign_in(officer).post(
        f"/admin/disclosure/request/{request.pk}/move/{State.DECIDED}/", {"_state": request.state}
    )
    html = page.content.decode()
    assert "類型・記録・利用目的ごとの決定（法第35条）" in html
    assert "利用停止：追加の明細 2" in html and "第三者提供の停止：追加の明細 1" in html
    data = {
        "reasons": "",
        "items-0-granted": "yes",
        "items-0-case": Case.OUT_OF_PURPOSE,
        "items-1-granted": "yes",
        "items-1-case": Case.UNLAWFUL_PROVISION,
    }
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert request.items.count() == 2
