"""The decision page: one row per requested item (each kind once, each requested correction on
its own row), nothing else to submit; a refusal without its ground or reason is refused in
Japanese beside its row, never as a database constraint."""

import datetime
import re

import pytest
from django.utils import timezone

from disclosure.models import Kind, Request
from purposes.register import purposes_for
from records.tests.factories import MemberFactory, RecordFactory

from .factories import RequestFactory
from .test_admin_moves import move

pytestmark = pytest.mark.django_db
State = Request.State
CORRECTIONS = [
    {"item": "住所", "current": "旧住所", "requested": "新住所"},
    {"item": "氏名", "current": "山田花了", "requested": "山田花子"},
]


@pytest.fixture
def filed(register):
    member = MemberFactory()
    record = RecordFactory(member=member, category=register["health-checks"], title="特定健診")
    request = RequestFactory(
        state=State.REVIEW,
        member=member,
        kinds=[Kind.PURPOSE_NOTICE, Kind.CORRECTION, Kind.SUSPENSION],
        corrections=CORRECTIONS,
    )
    return request, record


def page_of(client, request):
    return client.post(
        f"/admin/disclosure/request/{request.pk}/move/decided/", {"_state": request.state}
    ).content.decode()


def test_it_draws_one_row_per_requested_item(sign_in, officer, filed):
    request, _record = filed
    html = page_of(sign_in(officer), request)
    assert [f'name="items-{n}-granted"' in html for n in range(5)] == [True] * 4 + [False]
    assert "TOTAL_FORMS" not in html
    assert html.count("<h2>") >= 4 and "1. 利用目的の通知" in html and "4. 訂正・追加・削除" in html
    assert "住所" in html and "新住所" in html


def test_it_records_each_row_as_decided(sign_in, officer, filed):
    request, record = filed
    data = {
        "items-0-granted": "yes",
        "items-1-granted": "no",
        "items-1-ground": "no_reason",
        "items-1-reason": "保険給付の審査に必要な利用です",
        "items-1-category": "",
        "items-2-granted": "yes",
        "items-2-record_id": str(record.pk),
        "items-2-field": "address",
        "items-2-new_value": "新住所",
        "items-3-granted": "no",
        "items-3-ground": "accurate",
        "items-3-reason": "登録どおりです",
        "reasons": "",
    }
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert request.outcome == Request.Outcome.PARTIAL
    assert [(i.kind, i.granted, i.record_id, i.field) for i in request.items.all()] == [
        (Kind.PURPOSE_NOTICE, True, None, ""),
        (Kind.SUSPENSION, False, None, ""),
        (Kind.CORRECTION, True, record.pk, "address"),
        (Kind.CORRECTION, False, None, ""),
    ]


def test_a_refusal_without_ground_or_reason_is_refused_beside_its_row(sign_in, officer, filed):
    request, _record = filed
    data = {"items-0-granted": "yes", "items-1-granted": "no", "items-2-granted": "yes"}
    data |= {"items-3-granted": "yes"}
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    html = response.content.decode()
    assert response.status_code == 200 and request.state == State.REVIEW
    assert html.count("has-errors") == 1
    row = html[html.index("2. 利用停止") : html.index("3. 訂正")]
    assert "認めない根拠を選んでください。" in row and "認めない理由を書いてください" in row
    assert "制約" not in html and request.items.count() == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"items-0-granted": "maybe"},
        {"items-0-granted": ""},
        {"items-1-granted": "no", "items-1-ground": "nonsense", "items-1-reason": "x"},
        {"items-1-category": "999999"},
        {"items-2-record_id": "abc"},
        {"items-2-record_id": "999999999"},
        {"items-3-field": "x" * 200},
        {"reasons": "\x00"},
    ],
)
def test_bad_input_gets_a_message_never_a_500(bad, sign_in, officer, filed):
    request, _record = filed
    data = {f"items-{n}-granted": "yes" for n in range(4)} | {"items-1-case": "leak"} | bad
    response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert response.status_code in (200, 302), said
    assert request.state == State.REVIEW and request.decided_at is None


def test_nothing_is_decided_twice_from_a_stale_page(sign_in, officer, filed):
    request, _record = filed
    client = sign_in(officer)
    data = {f"items-{n}-granted": "yes" for n in range(4)} | {"items-1-case": "leak"}
    url = f"/admin/disclosure/request/{request.pk}/move/decided/"
    first = client.post(url, {"_state": "review", "_confirm": "1", **data})
    second = client.post(url, {"_state": "review", "_confirm": "1", **data})
    request.refresh_from_db()
    assert first.status_code == second.status_code == 302
    assert request.items.count() == 4 and request.decided_at <= timezone.now()


@pytest.fixture
def erasure_filed(register):
    member = MemberFactory()
    # Of fiscal 2019: past the five years 特定健診 is kept (基準第10条), so either may go.
    old = {"category": register["health-checks"], "date": datetime.date(2019, 6, 1)}
    kept = RecordFactory(member=member, title="残す健診", **old)
    erased = RecordFactory(member=member, title="消す健診", **old)
    request = RequestFactory(state=State.REVIEW, member=member, kinds=[Kind.ERASURE])
    return request, kept, erased


def test_art35_1_an_erasure_of_everything_needs_its_confirmation_on_the_page(
    sign_in, officer, erasure_filed
):
    request, _kept, _erased = erasure_filed
    data = {"items-0-granted": "yes", "items-0-category": "", "items-0-record_id": ""}
    data["items-0-case"] = "no_longer_needed"
    response, _said = move(sign_in(officer), request, State.DECIDED, data)
    html = response.content.decode()
    assert response.status_code == 200 and request.state == State.REVIEW
    assert "加入者のすべてを消去します。そのとおりでよいか確認の欄にチェックしてください。" in html

    data["items-0-whole_confirmed"] = "on"
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert [(i.category_id, i.record_id, i.whole_confirmed) for i in request.items.all()] == [
        (None, None, True)
    ]


def test_art35_1_the_page_offers_one_record_to_erase(sign_in, officer, erasure_filed):
    request, _kept, erased = erasure_filed
    html = page_of(sign_in(officer), request)
    assert "消去する記録" in html and "消す健診" in html and "残す健診" in html
    data = {"items-0-granted": "yes", "items-0-record_id": str(erased.pk)}
    data["items-0-case"] = "no_longer_needed"
    _response, said = move(sign_in(officer), request, State.DECIDED, data)
    assert request.state == State.DECIDED, said
    assert [(i.category_id, i.record_id) for i in request.items.all()] == [(None, erased.pk)]


# APPI Art. 35: the case, the grounds of the kind, the purpose, the law kept, the measure.


@pytest.fixture
def stops_filed(register):
    member = MemberFactory()
    RecordFactory(member=member, category=register["health-checks"], title="特定健診")
    request = RequestFactory(
        state=State.REVIEW,
        member=member,
        kinds=[Kind.DISCLOSURE, Kind.SUSPENSION, Kind.ERASURE, Kind.THIRD_PARTY_STOP],
        grounds="漏えいの通知を受けたので、健診結果の利用をやめてください。",
    )
    return request


def options(html: str, name: str) -> list[str]:
    select = html[html.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)"', select)


def test_art35_each_row_offers_only_the_grounds_and_cases_of_its_kind(
    sign_in, officer, stops_filed
):
    html = page_of(sign_in(officer), stops_filed)
    assert options(html, "items-0-ground") == ["", "harm", "business", "other_law", "not_held"]
    assert options(html, "items-1-ground") == ["", "no_reason", "difficult", "not_held"]
    assert options(html, "items-2-ground") == [
        "",
        "no_reason",
        "retention",
        "difficult",
        "not_held",
    ]
    assert options(html, "items-3-ground") == ["", "no_reason", "difficult", "not_held"]
    paragraph_1 = ["out_of_purpose", "improper_use", "improper_acquisition"]
    paragraph_5 = ["no_longer_needed", "leak", "rights_at_risk"]
    assert options(html, "items-1-case") == ["", *paragraph_1, *paragraph_5]
    assert options(html, "items-2-case") == ["", *paragraph_1, *paragraph_5]
    assert options(html, "items-3-case") == ["", "unlawful_provision", *paragraph_5]
    assert 'label="法第35条第5項"' in html and "漏えい等（法第26条第1項本文）が生じた" in html
    assert "items-0-case" not in html  # 開示 has no Art. 35 case
    # The purpose picker on the 利用停止 only; the laws the register keeps records by, to pick.
    assert 'name="items-1-purpose"' in html
    assert 'name="items-2-purpose"' not in html and 'name="items-3-purpose"' not in html
    assert '<option value="健康保険法第58条・民法第166条第1項">' in html
    assert 'name="items-2-retention_law"' in html and 'name="items-1-retention_law"' not in html
    assert "請求の理由：漏えいの通知を受けたので" in html


def test_art35_the_officer_decides_a_case_a_purpose_and_an_alternative_measure(
    sign_in, officer, stops_filed, register
):
    purpose = purposes_for(category_ids=[register["health-checks"].pk], on=timezone.localdate())[0]
    data = {
        "items-0-granted": "yes",
        "items-1-granted": "yes",
        "items-1-case": "leak",
        "items-1-category": str(register["health-checks"].pk),
        "items-1-purpose": str(purpose.pk),
        "items-2-granted": "no",
        "items-2-case": "no_longer_needed",
        "items-2-ground": "retention",
        # The law the register names for 健康診査, whose record is within its period.
        "items-2-retention_law": "特定健康診査及び特定保健指導の実施に関する基準第10条",
        "items-2-reason": "特定健診の記録は5年間保存します。",
        "items-3-granted": "no",
        "items-3-case": "leak",
        "items-3-ground": "difficult",
        "items-3-reason": "提供先のシステムから一人分を除けないため。",
        "items-3-alternative_measure": "提供先に当該データの利用をしないよう書面で求めます。",
    }
    _response, said = move(sign_in(officer), stops_filed, State.DECIDED, data)
    assert stops_filed.state == State.DECIDED, said
    suspension, erasure, stop = stops_filed.items.exclude(kind=Kind.DISCLOSURE)
    assert (suspension.case, suspension.purpose, suspension.category) == (
        "leak",
        purpose,
        register["health-checks"],
    )
    assert (erasure.ground, erasure.retention_law) == (
        "retention",
        "特定健康診査及び特定保健指導の実施に関する基準第10条",
    )
    assert stop.alternative_measure == "提供先に当該データの利用をしないよう書面で求めます。"


@pytest.mark.parametrize(
    "bad,field,message",
    [
        # A ground of another kind, sent as if the page had offered it.
        (
            {"items-1-granted": "no", "items-1-ground": "harm", "items-1-reason": "x"},
            "ground",
            "利用停止の請求を認めない根拠として選べるものから選んでください。",
        ),
        (
            {"items-1-granted": "no", "items-1-ground": "retention", "items-1-reason": "x"},
            "ground",
            "利用停止の請求を認めない根拠として選べるものから選んでください。",
        ),
        ({"items-1-case": "unlawful_provision"}, "case", "利用停止の請求の事由として選べるもの"),
        (
            {"items-3-case": "out_of_purpose"},
            "case",
            "第三者提供の停止の請求の事由として選べるもの",
        ),
        ({"items-1-case": ""}, "case", "認めるときは、請求の事由を選んでください（法第35条）。"),
        ({"items-1-purpose": "999999"}, "purpose", "正しく選択してください"),
        (
            {"items-3-granted": "no", "items-3-ground": "difficult", "items-3-reason": "費用"},
            "alternative_measure",
            "代わりにとる措置を書いてください",
        ),
        (
            {"items-1-granted": "no", "items-1-ground": "no_reason", "items-1-reason": "x"}
            | {"items-1-alternative_measure": "措置"},
            "alternative_measure",
            "代替措置は「多額の費用を要する場合その他の困難な場合」を根拠とするときに書きます。",
        ),
        (
            {"items-2-granted": "no", "items-2-ground": "retention", "items-2-reason": "x"}
            | {"items-2-retention_law": "   "},
            "retention_law",
            "保存を義務付けている法令と条項を書くか、一覧から選んでください。",
        ),
        (
            {"items-2-granted": "no", "items-2-ground": "no_reason", "items-2-reason": "x"}
            | {"items-2-retention_law": "健康保険法第58条"},
            "retention_law",
            "法令の名称は「法令により保存が義務付けられている」を根拠とするときに書きます。",
        ),
        (
            {"items-2-granted": "no", "items-2-ground": "difficult", "items-2-reason": "x"}
            | {"items-2-case": "", "items-2-alternative_measure": "措置"},
            "case",
            "ただし書によるのは請求に理由があるときです。",
        ),
        ({"items-2-retention_law": "法" * 201}, "retention_law", "200 文字以下"),
        (
            {"items-3-alternative_measure": "\x00"},
            "alternative_measure",
            "何か文字を入力してください。",
        ),
    ],
)
def test_art35_bad_input_is_refused_beside_its_field_in_japanese(
    bad, field, message, sign_in, officer, stops_filed
):
    data = {f"items-{n}-granted": "yes" for n in range(4)}
    data |= {"items-1-case": "leak", "items-2-case": "leak", "items-2-category": ""}
    data |= {"items-2-whole_confirmed": "on", "items-3-case": "leak"}
    response, said = move(sign_in(officer), stops_filed, State.DECIDED, data | bad)
    html = response.content.decode()
    assert response.status_code == 200, said
    assert stops_filed.state == State.REVIEW and not stops_filed.items.exists()
    row = next(iter(bad))[: len("items-0-")]
    errors = html[html.index(f'id="id_{row}{field}_error"') :]
    assert message in errors[: errors.index("</ul>")]
    assert "制約" not in html
