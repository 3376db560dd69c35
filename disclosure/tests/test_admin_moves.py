"""Each move and step through the admin (`core.admin.WorkflowAdminMixin`): done by the right
persona, refused with the Japanese reason (never a 500) for the wrong one, and closed to
staff without the desk's permissions."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from disclosure.models import Request
from disclosure.moves import STEPS
from disclosure.workflow import TRANSITIONS
from records.tests.factories import MemberFactory, RecordFactory

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State
BIRTH = datetime.date(1980, 1, 2)


@pytest.fixture
def member(register):
    member = MemberFactory(
        symbol="1001",
        number="1",
        branch="00",
        name=RequestFactory.name,
        name_kana=RequestFactory.name_kana,
        birth_date=BIRTH,
    )
    RecordFactory(member=member, category=register["health-checks"], title="特定健診")
    return member


def at(state, member=None, **extra) -> Request:
    if state in Request.MATCHED_STATES:
        extra["member"] = member
    if state in Request.DECIDED_STATES:
        extra |= {"outcome": Request.Outcome.FULL, "decided_at": timezone.now()}
    return RequestFactory(state=state, **extra)


def move(client, request, name, data=None):
    """Press the button of `name` on the request's page, then send its page."""
    url = f"/admin/disclosure/request/{request.pk}/move/{name}/"
    drawn = {"_state": request.state}
    page = client.post(url, drawn)
    if page.status_code == 200:
        response = client.post(url, {**drawn, "_confirm": "1", **(data or {})})
    else:
        response = page
    request.refresh_from_db()
    return response, [str(m) for m in get_messages(response.wsgi_request)]


def label(name, source):
    step = STEPS.get(name)
    return step.label if step else TRANSITIONS[source][name].label


def decision(granted="yes", ground="", reason=""):
    """The decision page's one row, for a request of 開示 only."""
    return {
        "reasons": "",
        "items-0-granted": granted,
        "items-0-ground": ground,
        "items-0-reason": reason,
    }


# state before, what the form sends, persona who may, state after
ALLOWED = [
    (State.RECEIVED, {}, "handler_kenshin", State.IDENTITY_CHECK),
    (State.IDENTITY_CHECK, {"state_note": "裏面"}, "handler_kenshin", State.AWAITING_DOCUMENTS),
    (State.AWAITING_DOCUMENTS, {}, "handler_kenshin", State.IDENTITY_CHECK),
    (State.IDENTITY_CHECK, "member", "handler_kenshin", State.REVIEW),
    (State.REVIEW, decision(), "officer", State.DECIDED),
    (State.DECIDED, {}, "handler_kenshin", State.CARRIED_OUT),
    (State.CARRIED_OUT, {}, "handler_kenshin", State.CLOSED),
    (State.DECIDED, {}, "handler_kenshin", State.CLOSED),
    (State.AWAITING_DOCUMENTS, {"state_note": "確認できません"}, "officer", State.REJECTED),
    (State.REVIEW, {"state_note": ""}, "handler_kenshin", State.WITHDRAWN),
]


@pytest.mark.parametrize(("source", "data", "persona", "to"), ALLOWED)
def test_the_right_persona_makes_the_move(source, data, persona, to, request, sign_in, member):
    filed = at(source, member)
    data = {"member": member.pk} if data == "member" else data
    response, said = move(sign_in(request.getfixturevalue(persona)), filed, to, data)
    assert response.status_code == 302, said
    assert filed.state == to
    assert said == [f"{filed.receipt_number}：「{label(to, source)}」を行いました。"]


@pytest.mark.parametrize(
    ("name", "source", "data"),
    [
        (State.DECIDED, State.REVIEW, decision()),
        (State.REJECTED, State.IDENTITY_CHECK, {"state_note": "確認できません"}),
        ("extend", State.RECEIVED, {"days": "14", "reason": "照会に時間を要するため"}),
    ],
)
def test_a_handler_is_told_that_the_officer_decides(name, source, data, sign_in, member, request):
    filed = at(source, member)
    response, said = move(sign_in(request.getfixturevalue("handler_kenshin")), filed, name, data)
    assert response.status_code in (200, 302)
    assert filed.state == source and filed.extended_due_on is None
    assert said and ("権限がありません" in said[0] or "責任者が行います" in said[0])


def test_it_names_a_move_off_the_table(sign_in, handler_kenshin):
    filed = at(State.RECEIVED)
    response = sign_in(handler_kenshin).post(
        f"/admin/disclosure/request/{filed.pk}/move/closed/", {"_state": State.RECEIVED}
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302
    assert said == ["「受付」の開示等の請求を「完了」にすることはできません。"]


def test_it_refuses_a_page_drawn_before_another_move(sign_in, handler_kenshin):
    filed = at(State.IDENTITY_CHECK)
    client = sign_in(handler_kenshin)
    url = f"/admin/disclosure/request/{filed.pk}/move/{State.AWAITING_DOCUMENTS}/"
    page = client.post(url, {"_state": State.IDENTITY_CHECK})
    assert page.status_code == 200
    filed.state = State.WITHDRAWN  # another member of staff, meanwhile
    filed.save()

    response = client.post(
        url, {"_state": State.IDENTITY_CHECK, "_confirm": "1", "state_note": "裏面"}
    )

    said = [str(m) for m in get_messages(response.wsgi_request)]
    filed.refresh_from_db()
    assert filed.state == State.WITHDRAWN and filed.state_note == ""
    assert "他の職員が先に処理し、現在は「取下げ」です" in said[0]


def test_it_keeps_a_refusal_without_its_reason_on_the_page(sign_in, officer, member):
    filed = at(State.REVIEW, member)
    response, _said = move(sign_in(officer), filed, State.DECIDED, decision(granted="no"))
    assert response.status_code == 200 and filed.state == State.REVIEW
    page = response.content.decode()
    assert "認めない根拠を選んでください。" in page and "法第36条" in page
    assert "制約" not in page and "disclosure_item" not in page


def test_it_extends_the_deadline_with_a_reason(sign_in, officer):
    filed = at(State.RECEIVED)
    data = {"days": "14", "reason": "照会に時間を要するため"}
    response, _said = move(sign_in(officer), filed, "extend", data)
    assert response.status_code == 302
    assert filed.extended_due_on == filed.due_on + datetime.timedelta(days=14)
    assert filed.letters.get().kind == "extension"


def test_it_records_the_payment(sign_in, handler_kenshin):
    filed = at(State.RECEIVED, fee_yen=300)
    response, _said = move(sign_in(handler_kenshin), filed, "pay", {"paid_on": "令和８年４月３日"})
    assert response.status_code == 302 and filed.fee_paid_on == datetime.date(2026, 4, 3)


def test_it_records_one_consultation_for_several_receipts(
    sign_in, handler_receipt, member, register, superuser
):
    from safeguards.models import Desk
    from safeguards.scopes import grant_scope

    # The receipts handler, put on the requests desk to ask the medical institution.
    grant_scope(user=handler_receipt, desk=Desk.of(Desk.Code.REQUESTS), by=superuser)
    receipts = [
        RecordFactory(member=member, category=register["receipts"], title=title)
        for title in ("外来", "入院")
    ]
    filed = at(State.REVIEW, member)
    data = {
        "receipts": [receipt.pk for receipt in receipts],
        "institution": "千代田病院",
        "asked_on": "2026-04-02",
        "answered_on": "2026-04-03",
        "hinders_care": "false",
    }
    response, _said = move(sign_in(handler_receipt), filed, "consult", data)
    assert response.status_code == 302
    consulted = filed.consultations.order_by("record_id")
    assert [(c.record_id, c.institution, c.hinders_care) for c in consulted] == [
        (receipt.pk, "千代田病院", False) for receipt in receipts
    ]


@pytest.mark.parametrize("name", [*STEPS, *State.values])
def test_staff_without_the_desks_permissions_get_no_move_page(name, sign_in, auditor):
    filed = at(State.RECEIVED)
    client = sign_in(auditor)
    url = f"/admin/disclosure/request/{filed.pk}/move/{name}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"_state": State.RECEIVED, "_confirm": "1"}).status_code == 403


def test_the_request_page_offers_the_moves_of_its_state(sign_in, handler_kenshin):
    filed = at(State.IDENTITY_CHECK)
    page = sign_in(handler_kenshin).get(f"/admin/disclosure/request/{filed.pk}/change/")
    html = page.content.decode()
    for name in ("review", "awaiting_documents", "withdrawn", "extend"):
        assert f"/move/{name}/" in html
    # The officer's moves are not offered to a handler, nor moves off the table.
    assert "/move/rejected/" not in html and "/move/closed/" not in html
    assert 'name="_save"' not in html
