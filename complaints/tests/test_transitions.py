"""What a complaint's moves need, stamp and mail. The table itself (each move allowed and
refused, by whom, its event, stale reads and the race) runs in tests/test_workflows.py."""

import pytest
from django.core import mail

from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core import workflow

State = Complaint.State
pytestmark = pytest.mark.django_db


def _complaint(state, **fields):
    return ComplaintFactory(state=state, response="回答文", cause="clerical", **fields)


def test_it_asks_for_the_response_before_responded(desk):
    complaint = ComplaintFactory(state=State.INVESTIGATING)

    with pytest.raises(workflow.Incomplete, match="回答の文面"):
        workflow.transition(complaint, State.RESPONDED, by=desk)


def test_it_asks_for_the_cause_before_closed(desk):
    complaint = ComplaintFactory(state=State.RESPONDED, response="回答文")

    with pytest.raises(workflow.Incomplete, match="原因の分類"):
        workflow.transition(complaint, State.CLOSED, by=desk)


def test_it_records_the_first_response_once(desk):
    complaint = _complaint(State.RECEIVED)

    workflow.transition(complaint, State.ACKNOWLEDGED, by=desk)
    complaint.refresh_from_db()
    first = complaint.acknowledged_at
    complaint = workflow.transition(complaint, State.RESPONDED, by=desk)

    assert first is not None
    assert complaint.acknowledged_at == first
    assert complaint.responded_at >= first


def test_it_mails_the_complainant_through_the_outbox(desk, run_worker):
    complaint = _complaint(State.RECEIVED)

    workflow.transition(complaint, State.ACKNOWLEDGED, by=desk)
    run_worker()

    (message,) = mail.outbox
    assert message.to == [complaint.email]
    assert "受付連絡済み" in message.body
