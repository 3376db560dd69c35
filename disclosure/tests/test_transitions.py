"""Every move of the state table, allowed and refused, by whom, with its trail and letter."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import Event
from core.workflow import ChangedMeanwhile, Incomplete, NotInTable, transition
from disclosure.models import Request
from disclosure.workflow import OFFICER, TRANSITIONS
from records.tests.factories import MemberFactory

from .factories import RequestFactory

pytestmark = pytest.mark.django_db
State = Request.State
ALLOWED = [(source, to) for source, moves in TRANSITIONS.items() for to in moves]
REFUSED = [(source, to) for source in State for to in State if to not in TRANSITIONS[source]]


def effects_for(to):
    values = {
        "member": lambda: MemberFactory(),
        "state_note": lambda: "運転免許証の裏面の写しをお送りください。",
        "outcome": lambda: Request.Outcome.FULL,
        "decided_at": timezone.now,
    }
    needs = {move.needs for moves in TRANSITIONS.values() for t, move in moves.items() if t == to}
    return {name: values[name]() for name in set().union(*needs)}


def at(state) -> Request:
    extra = {"member": MemberFactory()} if state in Request.MATCHED_STATES else {}
    if state in Request.DECIDED_STATES:
        extra |= {"outcome": Request.Outcome.FULL, "decided_at": timezone.now()}
    return RequestFactory(state=state, **extra)


@pytest.mark.parametrize(("source", "to"), ALLOWED)
def test_it_moves_along_the_table_with_an_event(source, to, privacy_officer, outsider):
    request = at(source)
    by = privacy_officer if TRANSITIONS[source][to].who == OFFICER else outsider
    transition(request, to, by=by, **effects_for(to))
    request.refresh_from_db()
    assert request.state == to
    event = Event.objects.get(action="disclosure.transition", target_id=str(request.pk))
    assert event.details == {"from": source, "to": to}
    assert event.actor_id == by.pk


@pytest.mark.parametrize(("source", "to"), REFUSED)
def test_it_refuses_a_move_off_the_table(source, to, privacy_officer):
    request = at(source)
    with pytest.raises(NotInTable, match="にすることはできません"):
        transition(request, to, by=privacy_officer, **effects_for(to))
    request.refresh_from_db()
    assert request.state == source
    assert not Event.objects.filter(action="disclosure.transition").exists()


@pytest.mark.parametrize(
    ("source", "to"), [(s, t) for s, t in ALLOWED if TRANSITIONS[s][t].who == OFFICER]
)
def test_it_leaves_decisions_and_rejections_to_the_privacy_officer(source, to, outsider):
    request = at(source)
    with pytest.raises(PermissionDenied):
        transition(request, to, by=outsider, **effects_for(to))
    request.refresh_from_db()
    assert request.state == source


def test_it_refuses_staff_without_a_role(auditor, django_user_model):
    request = at(State.RECEIVED)
    for user in (auditor, django_user_model.objects.create_user("nobody", is_staff=True)):
        with pytest.raises(PermissionDenied):
            transition(request, State.IDENTITY_CHECK, by=user)


def test_it_needs_the_matched_member_to_start_the_review(outsider):
    request = at(State.IDENTITY_CHECK)
    with pytest.raises(Incomplete, match="照合した加入者"):
        transition(request, State.REVIEW, by=outsider)


def test_it_tells_the_second_of_two_staff_that_the_request_moved(outsider):
    request = at(State.RECEIVED)
    stale = Request.objects.get(pk=request.pk)
    transition(request, State.IDENTITY_CHECK, by=outsider)
    with pytest.raises(ChangedMeanwhile, match="他の職員が先に処理し"):
        transition(stale, State.WITHDRAWN, by=outsider)
    request.refresh_from_db()
    assert request.state == State.IDENTITY_CHECK


def test_it_sends_the_letter_of_the_move(privacy_officer, django_capture_on_commit_callbacks):
    from django.core import mail

    request = at(State.REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        transition(request, State.DECIDED, by=privacy_officer, **effects_for(State.DECIDED))
    assert request.letters.get().kind == "decision"
    assert request.receipt_number in mail.outbox[0].subject
    assert "山田" not in mail.outbox[0].body
