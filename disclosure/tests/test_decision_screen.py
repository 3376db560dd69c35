"""The decision page: one row per requested item (each kind once, each requested correction on
its own row), nothing else to submit; a refusal without its ground or reason is refused in
Japanese beside its row, never as a database constraint."""

import pytest
from django.utils import timezone

from disclosure.models import Kind, Request
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
    kept = RecordFactory(member=member, category=register["health-checks"], title="残す健診")
    erased = RecordFactory(member=member, category=register["health-checks"], title="消す健診")
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
