"""Answering a request reads its one person in every category, whoever handles it (DESIGN
invariant 1; APPI Art. 33(1)): the officer with no scope matches, consults and decides, a
handler sees the categories outside their scope, nobody else is read, and every read is
logged under the request."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import Event
from audit.vocabulary import Action
from disclosure import services
from disclosure.access import statutory_access
from disclosure.models import Request
from records import gate
from records.tests.factories import MemberFactory, RecordFactory

from .factories import RequestFactory
from .test_admin_moves import move

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
    RecordFactory(member=member, category=register["receipts"], title="外来")
    # Another person on the same card: never read for this request.
    other = MemberFactory(symbol="1001", number="1", branch="01", birth_date=BIRTH)
    RecordFactory(member=other, category=register["receipts"], title="家族の外来")
    return member


def test_the_officer_without_a_scope_matches_consults_and_decides(sign_in, bare_officer, member):
    client = sign_in(bare_officer)
    request = RequestFactory(state=State.IDENTITY_CHECK)

    _response, said = move(client, request, State.REVIEW, {"member": member.pk})
    assert request.state == State.REVIEW, said

    receipt = member.records.get(category__code="receipts")
    _response, said = move(
        client,
        request,
        "consult",
        {
            "institution": "千代田病院",
            "receipts": [receipt.pk],
            "asked_on": "2026-04-02",
            "answered_on": "2026-04-03",
            "hinders_care": "false",
        },
    )
    assert request.consultations.get().record_id == receipt.pk, said

    _response, said = move(
        client, request, State.DECIDED, {"items-0-granted": "yes", "reasons": ""}
    )
    assert request.state == State.DECIDED, said


def test_a_handler_reads_the_categories_outside_their_scope(handler_kenshin, member):
    request = RequestFactory(state=State.REVIEW, member=member)
    with gate.ledger():
        held = services.gather(request=request, by=handler_kenshin)
    assert {record.category.code for record in held} == {"health-checks", "receipts"}
    assert {record.member_id for record in held} == {member.pk}


def test_before_the_match_it_reads_only_the_card_and_birth_date_filed(bare_officer, member):
    request = RequestFactory(state=State.IDENTITY_CHECK, birth_date=BIRTH)
    with gate.ledger():
        found = services.identity_candidates(request=request, by=bare_officer)
    assert found == [member]


def test_every_read_is_logged_under_the_request(bare_officer, member):
    request = RequestFactory(state=State.REVIEW, member=member)
    with gate.ledger():
        services.gather(request=request, by=bare_officer)
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert (event.target_type, event.target_id) == ("disclosure.request", str(request.pk))
    assert event.details["statutory"] is True
    assert event.details["members"] == [member.pk]
    assert event.details["categories"] == ["health-checks", "receipts"]


def test_staff_who_do_not_handle_requests_may_not_open_it(auditor, member):
    request = RequestFactory(state=State.REVIEW, member=member)
    with pytest.raises(PermissionDenied, match="開示等請求窓口の担当者か個人情報取扱責任者"):
        statutory_access(request, auditor)


def test_a_lapsed_standing_still_refuses(privacy_officer, member):
    request = RequestFactory(state=State.REVIEW, member=member)
    with gate.ledger(), pytest.raises(gate.StandingLapsed):
        services.gather(request=request, by=privacy_officer)
