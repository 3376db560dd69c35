"""消去 of a whole member (APPI Art. 35(2)) reaches the filings that say they are theirs without
a link: listed on the carry-out page for the privacy officer, who answers for each; nothing is
erased until every one is answered, and one answered as another person's stays whole."""

# ruff: noqa: F811

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core.workflow import transition
from disclosure import services
from disclosure.models import Kind, Request
from disclosure.tests.conftest import (  # noqa: F401 (fixtures)
    BIRTH,
    KANA,
    NAME,
    _private_media,
    member,
    officer,
)
from disclosure.tests.factories import RequestFactory
from disclosure.tests.test_erasure import NO_LONGER_NEEDED, filed_for
from records import gate
from records.models import Member
from safeguards.approvals import Approval
from safeguards.testing import second_officer_approves

pytestmark = pytest.mark.django_db
State = Request.State


def decided(member, officer) -> Request:
    """A request to erase the whole member, decided and ready to carry out."""
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with gate.ledger():
        transition(request, State.IDENTITY_CHECK, by=officer)
        services.request_match(request=request, member=member, by=officer)
        request.refresh_from_db()
        services.request_decide(
            request=request,
            items=[
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                }
            ],
            reasons="",
            by=officer,
        )
    request.refresh_from_db()
    second_officer_approves(Approval.Kind.MEMBER_ERASURE, request)  # four eyes
    return request


def carry_out_page(client, request, data=None):
    url = f"/admin/disclosure/request/{request.pk}/move/{State.CARRIED_OUT}/"
    drawn = {"_state": request.state}
    if data is None:
        return client.post(url, drawn)
    return client.post(url, {**drawn, "_confirm": "1", **data})


@pytest.fixture
def homonym(member):
    """Someone else with the member's name and フリガナ: another card, another birth date."""
    return RequestFactory(
        name=NAME,
        name_kana=KANA,
        member_symbol="3003",
        member_number="99",
        birth_date=datetime.date(1990, 5, 5),
        state=State.WITHDRAWN,
    )


def test_art35_2_it_erases_nothing_until_each_candidate_is_answered(member, officer, homonym):
    request = decided(member, officer)
    with gate.ledger(), pytest.raises(ValidationError, match="本人のものか確認してください"):
        services.request_carry_out(request=request, by=officer)
    assert Member.objects.filter(pk=member.pk).exists()


def test_art35_2_the_page_lists_the_candidates_and_refuses_an_unanswered_one(
    member, officer, homonym, sign_in
):
    request = decided(member, officer)
    client = sign_in(officer)
    page = carry_out_page(client, request).content.decode()
    assert "この加入者のものと思われる届出" in page and homonym.receipt_number in page
    assert "一致" in page and "氏名・フリガナ" in page and "生年月日・記号・番号" in page

    response = carry_out_page(client, request, {})
    assert response.status_code == 200
    assert "本人のものか別人のものかを選んでください。" in response.content.decode()
    request.refresh_from_db()
    assert request.state == State.DECIDED and Member.objects.filter(pk=member.pk).exists()


def test_art35_2_each_candidate_shown_to_the_officer_is_a_read_in_the_trail(
    member, officer, homonym, sign_in
):
    request = decided(member, officer)
    complaint = ComplaintFactory(
        name=NAME, member_symbol=member.symbol, member_number=member.number
    )
    before = Event.objects.count()
    page = carry_out_page(sign_in(officer), request).content.decode()

    assert homonym.receipt_number in page and complaint.receipt_number in page
    reads = Event.objects.filter(action=Action.RECORDS_ACCESS_READ, seq__gt=before)
    assert {event.actor_id for event in reads} == {officer.pk}
    filings: dict[str, set] = {}
    for event in reads:
        for model, ids in event.details.get("filings", {}).items():
            filings.setdefault(model, set()).update(ids)
    # The request being answered, and each filing listed beside it.
    assert filings == {"request": {request.pk, homonym.pk}, "complaint": {complaint.pk}}


def test_art35_2_a_filing_answered_as_another_persons_stays_whole(
    member, officer, homonym, sign_in
):
    request = decided(member, officer)
    complaint = ComplaintFactory(
        anonymous=True,
        name="",
        member_symbol=member.symbol,
        member_number=member.number,
        what_happened=f"{NAME}さんの記録の扱いについて",
        state=Complaint.State.CLOSED,
    )
    response = carry_out_page(
        sign_in(officer), request, {"candidate-0": "other", "candidate-1": "theirs"}
    )
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302, said
    request.refresh_from_db()
    assert request.state == State.CARRIED_OUT
    homonym.refresh_from_db()
    assert (homonym.name, homonym.identity_digest) == (NAME, "")
    complaint.refresh_from_db()
    assert complaint.member_number == "" and len(complaint.identity_digest) == 64
    event = Event.objects.get(action=Action.DISCLOSURE_ERASURE_CONFIRMED)
    assert event.details == {
        "confirmed": [f"complaints.complaint:{complaint.pk}"],
        "declined": [f"disclosure.request:{homonym.pk}"],
    }
    assert Event.objects.filter(action=Action.DISCLOSURE_ERASURE_SWEPT).exists()


def test_art35_2_one_agreeing_value_is_no_candidate(member, officer):
    RequestFactory(name="別人花子", name_kana="ベツジンハナコ", birth_date=BIRTH)
    request = decided(member, officer)
    with gate.ledger():
        services.request_carry_out(request=request, by=officer, answers={})
    assert not Member.objects.filter(pk=member.pk).exists()
