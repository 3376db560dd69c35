"""What a request's moves need and send. The table itself (each move allowed and refused,
by whom, its event, stale reads and the race) runs in tests/test_workflows.py."""

import pytest
from django.core import mail
from django.utils import timezone

from core.workflow import Incomplete, transition
from disclosure.models import Request
from records.tests.factories import MemberFactory

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State


def at(state) -> Request:
    extra = {"member": MemberFactory()} if state in Request.MATCHED_STATES else {}
    if state in Request.DECIDED_STATES:
        extra |= {"outcome": Request.Outcome.FULL, "decided_at": timezone.now()}
    return RequestFactory(state=state, **extra)


def test_it_needs_the_matched_member_to_start_the_review(outsider):
    request = at(State.IDENTITY_CHECK)
    with pytest.raises(Incomplete, match="照合した加入者"):
        transition(request, State.REVIEW, by=outsider)


def test_it_sends_the_letter_of_the_move(privacy_officer, run_worker):
    request = at(State.REVIEW)
    transition(
        request,
        State.DECIDED,
        by=privacy_officer,
        outcome=Request.Outcome.FULL,
        decided_at=timezone.now(),
    )
    run_worker()
    assert request.letters.get().kind == "decision"
    assert request.receipt_number in mail.outbox[0].subject
    assert "山田" not in mail.outbox[0].body
