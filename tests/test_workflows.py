"""Every workflow's table through the one engine (`core.workflow.transition`): each move off
the table refused, each move by someone it does not allow refused, each allowed move made
with its audit event in the same transaction, a stale read refused, and two staff racing
for the same row on PostgreSQL, of whom exactly one wins.

The moves' own conditions (letters, guards, stamps) are tested beside each workflow; here a
row is made so that the move's conditions hold, and who may make it is written out apart
from the tables, so a table that lets the wrong people through fails.
"""

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import Event
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core.workflow import ChangedMeanwhile, NotAllowed, NotInTable, transition, workflow_of
from disclosure.models import Request
from disclosure.tests.factories import RequestFactory
from records.tests.factories import MemberFactory
from safeguards.incidents import FINAL_REPORT_FIELDS
from safeguards.models import (
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Incident,
    Inspection,
    SafeguardArea,
)
from safeguards.roles import Role
from safeguards.testing import make_staff

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _request(source, to, users):
    extra = {}
    if source in Request.MATCHED_STATES:
        extra["member"] = MemberFactory()
    if source in Request.DECIDED_STATES:
        extra |= {"outcome": Request.Outcome.FULL, "decided_at": NOW()}
    return RequestFactory(state=source, **extra)


def _request_values(to):
    return {
        Request.State.REVIEW: lambda: {"member": MemberFactory()},
        Request.State.AWAITING_DOCUMENTS: lambda: {"state_note": "裏面の写しをお送りください。"},
        Request.State.REJECTED: lambda: {"state_note": "本人確認ができませんでした。"},
        Request.State.DECIDED: lambda: {"outcome": Request.Outcome.FULL, "decided_at": NOW()},
    }.get(to, dict)()


def _complaint(source, to, users):
    return ComplaintFactory(state=source, response="回答文", cause="clerical")


def _incident(source, to, users):
    State = Incident.State
    # A move to the commission needs a reportable incident; closing one after assessment
    # needs one that is not (APPI Art. 26, Rules Art. 7).
    reportable = to in {State.PRELIMINARY_REPORTED, State.FINAL_REPORTED} or (
        to == State.CLOSED and source != State.ASSESSING
    )
    report = {name: "記載" for name in FINAL_REPORT_FIELDS if name != "persons_affected"}
    report["summary"] = "USBメモリの紛失"
    return Incident.objects.create(
        kind=Incident.Kind.LOSS,
        discovered_at=NOW(),
        reported_by=users["handler"],
        state=source,
        persons_affected=1001 if reportable else 10,
        persons_notified_at=NOW() if reportable else None,
        preliminary_reported_at=NOW() if source == State.PRELIMINARY_REPORTED else None,
        final_reported_at=NOW() if source in {State.FINAL_REPORTED, State.CLOSED} else None,
        **(report if reportable else {"summary": report["summary"]}),
    )


def _inspection(source, to, users):
    # Starting lays out the active checklist: there must be one.
    ChecklistItem.objects.get_or_create(area=SafeguardArea.PHYSICAL, text="施錠の確認")
    extra = {}
    if source == Inspection.Status.SIGNED_OFF:
        extra = {"signed_off_by": users["officer"], "signed_off_at": NOW()}
    return Inspection.objects.create(
        title="2026年度自己点検", scheduled_on=datetime.date(2026, 10, 1), status=source, **extra
    )


def _corrective_action(source, to, users):
    done = source == CorrectiveAction.Status.DONE
    return CorrectiveAction.objects.create(
        description="持ち出し簿の点検",
        owner=users["handler"],
        due_on=datetime.date(2026, 12, 20),
        status=source,
        completed_on=datetime.date(2026, 12, 10) if done else None,
    )


def _audit(source, to, users):
    return AuditPlan.objects.create(
        title="令和8年度監事監査",
        auditor="監事A",
        scope="安全管理措置",
        planned_on=datetime.date(2026, 11, 1),
        status=source,
    )


OFFICER = frozenset({"officer"})
STAFF = frozenset({"officer", "handler"})


@dataclass(frozen=True)
class Case:
    model: type
    make: Callable  # (source, to, users) -> a row in `source` that may move to `to`
    movers: Callable  # (source, to) -> the personas who may make the move
    values: Callable = lambda to: {}
    action: Callable = lambda to: ""  # the event's action, where a move names its own

    @property
    def workflow(self):
        return workflow_of(self.model)


R, C, S = Request.State, Complaint.State, Inspection.Status
CASES = {
    "requests": Case(
        Request,
        _request,
        lambda source, to: OFFICER if to in {R.REJECTED, R.DECIDED} else STAFF,
        _request_values,
    ),
    "complaints": Case(
        Complaint,
        _complaint,
        lambda source, to: OFFICER if source == C.ESCALATED else STAFF,
    ),
    "incidents": Case(Incident, _incident, lambda source, to: OFFICER),
    "inspections": Case(
        Inspection,
        _inspection,
        lambda source, to: OFFICER,
        action=lambda to: {
            S.IN_PROGRESS: "safeguards.inspection.started",
            S.SIGNED_OFF: "safeguards.inspection.signed_off",
        }[to],
    ),
    "audits": Case(AuditPlan, _audit, lambda source, to: OFFICER),
    # The owner (a handler here) reports their action done; only the officer cancels one.
    "corrective actions": Case(
        CorrectiveAction,
        _corrective_action,
        lambda source, to: STAFF if to == CorrectiveAction.Status.DONE else OFFICER,
        action=lambda to: f"safeguards.correctiveaction.{to}",
    ),
}


def _states(case):
    return [
        value
        for value, _label in case.workflow.model._meta.get_field(case.workflow.state_field).choices
    ]


def _moves(allowed: bool):
    for name, case in CASES.items():
        table = case.workflow.table
        for source in _states(case):
            for to in _states(case):
                if (to in table[source]) is allowed:
                    yield pytest.param(name, source, to, id=f"{name}:{source}->{to}")


PERSONAS = ("officer", "handler", "auditor", "no_role")


def _handler():
    """A handler on both desks (requests, complaints): the staff who move filings."""
    from safeguards.models import Desk
    from safeguards.scopes import grant_scope

    handler = make_staff("handler", Role.HANDLER)
    granter = make_staff("granter", is_superuser=True)
    for code in Desk.Code.values:
        grant_scope(user=handler, desk=Desk.of(code), by=granter)
    return handler


@pytest.fixture
def users(db):
    return {
        "officer": make_staff("officer", Role.PRIVACY_OFFICER),
        "handler": _handler(),
        "auditor": make_staff("auditor", Role.AUDITOR),
        "no_role": make_staff("no_role"),
    }


def _state(row):
    return workflow_of(row).state_of(type(row).objects.get(pk=row.pk))


def _events(row):
    return Event.objects.filter(target_type=row._meta.label_lower, target_id=str(row.pk))


@pytest.mark.parametrize(("name", "source", "to"), list(_moves(allowed=False)))
def test_it_refuses_every_move_off_the_table(name, source, to, users):
    case = CASES[name]
    row = case.make(source, to, users)

    with pytest.raises(NotInTable, match="にすることはできません"):
        transition(row, to, by=users["officer"])

    assert _state(row) == source
    assert not _events(row).exists()


def _disallowed():
    for param in _moves(allowed=True):
        name, source, to = param.values
        for persona in PERSONAS:
            if persona not in CASES[name].movers(source, to):
                yield pytest.param(name, source, to, persona, id=f"{param.id}:{persona}")


@pytest.mark.parametrize(("name", "source", "to", "persona"), list(_disallowed()))
def test_it_refuses_every_move_to_whom_it_is_not_allowed(name, source, to, persona, users):
    case = CASES[name]
    row = case.make(source, to, users)

    with pytest.raises(NotAllowed) as refused:
        transition(row, to, by=users[persona], **case.values(to))

    assert str(refused.value)  # a reason, in Japanese, for the page to show
    assert _state(row) == source
    assert not _events(row).exists()


def _allowed():
    for param in _moves(allowed=True):
        name, source, to = param.values
        for persona in sorted(CASES[name].movers(source, to)):
            yield pytest.param(name, source, to, persona, id=f"{param.id}:{persona}")


class RolledBack(Exception):
    pass


@pytest.mark.parametrize(("name", "source", "to", "persona"), list(_allowed()))
def test_every_allowed_move_writes_its_event_in_the_same_transaction(
    name, source, to, persona, users
):
    case = CASES[name]
    by = users[persona]
    row = case.make(source, to, users)

    # Rolled back, the move takes its event with it: they are one transaction.
    with pytest.raises(RolledBack), transaction.atomic():
        transition(type(row).objects.get(pk=row.pk), to, by=by, **case.values(to))
        assert _events(row).count() == 1
        raise RolledBack
    assert _state(row) == source and not _events(row).exists()

    moved = transition(row, to, by=by, **case.values(to))

    assert _state(row) == to == case.workflow.state_of(moved) == case.workflow.state_of(row)
    event = _events(row).get()
    assert event.action == (case.action(to) or case.workflow.action)
    assert (event.details["from"], event.details["to"]) == (source, to)
    assert event.actor_id == by.pk


def _first_moves():
    """For each workflow, the first move of its table and the first person it allows."""
    for name, case in CASES.items():
        source, moves = next((s, m) for s, m in case.workflow.table.items() if m)
        to = next(iter(moves))
        yield pytest.param(name, source, to, min(case.movers(source, to)), id=name)


@pytest.mark.parametrize(("name", "source", "to", "persona"), list(_first_moves()))
def test_it_refuses_a_move_on_a_stale_read(name, source, to, persona, users):
    case = CASES[name]
    row = case.make(source, to, users)
    stale = type(row).objects.get(pk=row.pk)
    transition(row, to, by=users[persona], **case.values(to))

    with pytest.raises(ChangedMeanwhile, match=r"他の職員が先に処理し.*画面を更新して"):
        transition(stale, to, by=users[persona], **case.values(to))

    assert _state(row) == to
    assert _events(row).count() == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize(("name", "source", "to", "persona"), list(_first_moves()))
def test_of_two_staff_moving_at_once_exactly_one_wins(
    name, source, to, persona, audit_transactional_db
):
    case = CASES[name]
    users = {
        "officer": make_staff("officer", Role.PRIVACY_OFFICER),
        "handler": _handler(),
    }
    row = case.make(source, to, users)
    values = case.values(to)
    barrier = threading.Barrier(2)
    outcomes = []

    def move():
        try:
            copy = type(row).objects.get(pk=row.pk)
            barrier.wait()
            transition(copy, to, by=users[persona], **values)
            outcomes.append("moved")
        except ChangedMeanwhile:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["moved", "refused"]
    assert _state(row) == to
    assert _events(row).count() == 1
