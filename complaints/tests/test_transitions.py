"""Each move of the state table, allowed and refused, with its audit event and its mail."""

import threading

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.db import connection

from audit.models import Event
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from complaints.workflow import TRANSITIONS
from core import workflow

State = Complaint.State
pytestmark = pytest.mark.django_db

ALLOWED = [(src, to) for src, targets in TRANSITIONS.items() for to in sorted(targets)]
REFUSED = [
    (src, to)
    for src in State.values
    for to in State.values
    if to not in TRANSITIONS[src] and to != src
]


def _complaint(state, **fields):
    return ComplaintFactory(state=state, response="回答文", cause="clerical", **fields)


@pytest.mark.parametrize(("src", "to"), ALLOWED)
def test_it_makes_each_move_of_the_table(src, to, desk, privacy_officer):
    by = privacy_officer if src == State.ESCALATED else desk
    complaint = _complaint(src)

    moved = workflow.transition(complaint, to, by=by)

    complaint.refresh_from_db()
    assert complaint.state == moved.state == to
    event = Event.objects.get(action="complaint.transition", target_id=str(complaint.pk))
    assert event.details == {"from": src, "to": to}
    assert event.actor_id == by.pk


@pytest.mark.parametrize(("src", "to"), REFUSED)
def test_it_refuses_each_move_off_the_table(src, to, privacy_officer):
    complaint = _complaint(src)

    with pytest.raises(workflow.NotInTable, match="にすることはできません"):
        workflow.transition(complaint, to, by=privacy_officer)

    complaint.refresh_from_db()
    assert complaint.state == src
    assert not Event.objects.filter(action="complaint.transition").exists()


def test_it_refuses_staff_outside_the_desk(auditor):
    complaint = _complaint(State.RECEIVED)

    with pytest.raises(workflow.NotAllowed):
        workflow.transition(complaint, State.ACKNOWLEDGED, by=auditor)

    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED


def test_it_leaves_an_escalated_complaint_to_the_privacy_officer(desk, privacy_officer):
    complaint = _complaint(State.ESCALATED)

    with pytest.raises(workflow.NotAllowed):
        workflow.transition(complaint, State.RESPONDED, by=desk)
    workflow.transition(complaint, State.RESPONDED, by=privacy_officer)

    complaint.refresh_from_db()
    assert complaint.state == State.RESPONDED


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


def test_it_refuses_a_move_on_a_stale_read_with_a_named_error(desk):
    complaint = _complaint(State.RECEIVED)
    stale = Complaint.objects.get(pk=complaint.pk)
    workflow.transition(complaint, State.ACKNOWLEDGED, by=desk)

    with pytest.raises(workflow.ChangedMeanwhile, match="他の職員"):
        workflow.transition(stale, State.WITHDRAWN, by=desk)

    complaint.refresh_from_db()
    assert complaint.state == State.ACKNOWLEDGED


def test_it_mails_the_complainant_only_after_commit(desk, django_capture_on_commit_callbacks):
    complaint = _complaint(State.RECEIVED)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(complaint, State.ACKNOWLEDGED, by=desk)

    (message,) = mail.outbox
    assert message.to == [complaint.email]
    assert "受付連絡済み" in message.body


@pytest.mark.postgres_only
def test_it_lets_one_of_two_simultaneous_moves_win(audit_transactional_db):
    # An earlier transactional test's flush took the roles (rows of a data migration) with
    # it; the permission itself is recreated by the flush.
    desk = User.objects.create_user("desk")
    desk.user_permissions.add(Permission.objects.get(codename="handle_complaint"))
    complaint = _complaint(State.RECEIVED)
    barrier = threading.Barrier(2)
    outcomes = []

    def move(to):
        try:
            copy = Complaint.objects.get(pk=complaint.pk)
            barrier.wait()
            workflow.transition(copy, to, by=desk)
            outcomes.append("moved")
        except workflow.ChangedMeanwhile:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(to,)) for to in (State.ACKNOWLEDGED, State.WITHDRAWN)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["moved", "refused"]
    assert Event.objects.filter(action="complaint.transition").count() == 1
