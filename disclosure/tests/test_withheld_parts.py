"""Part of a disclosure withheld on the decision page (APPI Art. 33(2), Art. 36): a record, or
one field of a record, chosen with its ground and reason; the member's package marks each
「［不開示］」 with its ground and holds nothing of what was withheld, and the decision is a
partial one. Rows left empty decide nothing."""

import zipfile

import pytest

from disclosure import services
from disclosure.models import DecisionItem, Kind, Letter, Request
from records import gate
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from safeguards.approvals import Approval
from safeguards.testing import second_officer_approves
from tests.pdf import pdf_text

from .factories import RequestFactory
from .test_admin_moves import move

pytestmark = pytest.mark.django_db
State = Request.State
SECRET_CLINIC = "秘匿ヶ丘クリニック"


@pytest.fixture
def asked(register):
    member = MemberFactory()
    shown = RecordFactory(
        member=member,
        category=register["health-checks"],
        title="特定健診2025",
        payload={**EXAMPLE_PAYLOADS["health-checks"], "facility": SECRET_CLINIC},
    )
    hidden = RecordFactory(
        member=member, category=register["health-checks"], title="特定健診2024（本人に伏せる）"
    )
    request = RequestFactory(state=State.REVIEW, member=member, kinds=[Kind.DISCLOSURE])
    return request, shown, hidden


def test_art33_2_a_withheld_record_and_field_reach_the_member_marked_and_nothing_more(
    sign_in, officer, asked
):
    request, shown, hidden = asked
    data = {
        "items-0-granted": "yes",
        "withheld-0-target": f"r:{hidden.pk}",
        "withheld-0-ground": DecisionItem.Ground.HARM,
        "withheld-0-reason": "第三者の権利利益を害するおそれがあるため。",
        "withheld-1-target": f"r:{shown.pk}",
        "withheld-1-field": "facility",
        "withheld-1-ground": DecisionItem.Ground.BUSINESS,
        "withheld-1-reason": "業務の適正な実施に支障があるため。",
        "reasons": "",
    }
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert request.outcome == Request.Outcome.PARTIAL
    assert [(i.granted, i.record_id, i.field) for i in request.items.all()] == [
        (True, None, ""),
        (False, hidden.pk, ""),
        (False, shown.pk, "facility"),
    ]
    second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)
    with gate.ledger():
        services.request_carry_out(request=request, by=officer)

    archive = zipfile.ZipFile(request.packages.get().file.open())
    text = pdf_text(archive.read("disclosure.pdf"))
    assert "特定健診2025" in text and "［不開示］" in text
    assert SECRET_CLINIC not in text and "本人に伏せる" not in text
    assert all(
        SECRET_CLINIC not in archive.read(name).decode()
        for name in archive.namelist()
        if name.endswith((".json", ".csv"))
    )
    decision = pdf_text(request.letters.get(kind=Letter.Kind.DECISION).file.open())
    assert "第三者の権利利益を害するおそれがあるため。" in decision


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({"withheld-0-reason": "理由だけ"}, "開示しない類型か記録を選んでください。"),
        (
            {"withheld-0-target": "c:{category}", "withheld-0-field": "facility"},
            "項目を選ぶときは、類型ではなく記録を選んでください。",
        ),
        ({"withheld-0-target": "r:{record}"}, "根拠"),
        ({"withheld-0-target": "r:999999"}, "正しく選択してください"),
    ],
)
def test_art36_a_withheld_part_without_its_target_ground_or_reason_is_refused_beside_it(
    sign_in, officer, asked, row, said
):
    request, shown, _hidden = asked
    values = {
        key: value.format(category=shown.category_id, record=shown.pk) for key, value in row.items()
    }
    response, _said = move(
        sign_in(officer), request, State.DECIDED, {"items-0-granted": "yes", **values}
    )
    assert request.state == State.REVIEW
    assert said in response.content.decode()
