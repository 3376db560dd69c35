"""The handling of a complaint as a table of states, declared with `core.workflow`.

APPI Art. 40(1): a business handles complaints about its handling of personal information
"appropriately and promptly". Every move goes through `core.workflow.transition`: checked
against `TRANSITIONS` and against who may make it, under a row lock, with its audit event
in the same transaction; the mail goes out only once the move has committed. Nothing else
writes `Complaint.state`.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.vocabulary import Action
from core.workflow import Change, Move, Workflow
from safeguards.models import Desk
from safeguards.roles import Role, has_role
from safeguards.scopes import handles_desk

from . import notices
from .models import Complaint

State = Complaint.State


def _desk(user, complaint: Complaint) -> bool:
    # The complaints desk: the role's permission, and the desk in the user's scope.
    return user.has_perm("complaints.handle_complaint") and handles_desk(user, Desk.Code.COMPLAINTS)


# The desk moves a complaint; once escalated, only the privacy officer does.
OFFICER = frozenset({Role.PRIVACY_OFFICER})


def _moves(who, *targets) -> dict[str, Move]:
    return {to: Move(who) for to in targets}


TRANSITIONS: dict[str, dict[str, Move]] = {
    State.RECEIVED: _moves(_desk, State.ACKNOWLEDGED, State.ESCALATED, State.WITHDRAWN),
    State.ACKNOWLEDGED: _moves(
        _desk, State.INVESTIGATING, State.ESCALATED, State.RESPONDED, State.WITHDRAWN
    ),
    State.INVESTIGATING: _moves(_desk, State.ESCALATED, State.RESPONDED, State.WITHDRAWN),
    # The privacy officer answers, or hands the complaint back to the desk.
    State.ESCALATED: _moves(OFFICER, State.INVESTIGATING, State.RESPONDED, State.WITHDRAWN),
    # Reopened when the answer does not settle it.
    State.RESPONDED: _moves(_desk, State.INVESTIGATING, State.CLOSED),
    State.CLOSED: {},
    State.WITHDRAWN: {},
}

# The moves by which the desk first writes back to the complainant: the first response.
FIRST_RESPONSES = {State.ACKNOWLEDGED, State.RESPONDED}


def _recorded_first(change: Change[Complaint]) -> str | Promise | None:
    complaint = change.obj
    if change.to == State.RESPONDED and not complaint.response.strip():
        return _("回答済みにする前に、申出人に送付した回答の文面を記録してください。")
    if change.to == State.CLOSED and not complaint.cause:
        return _("完了にする前に、原因の分類を記録してください。")
    return None


def _stamp(change: Change[Complaint]) -> None:
    complaint, to = change.obj, change.to
    if to in FIRST_RESPONSES and complaint.acknowledged_at is None:
        complaint.acknowledged_at = change.now
    if to == State.RESPONDED:
        complaint.responded_at = change.now
    if to in {State.CLOSED, State.WITHDRAWN}:
        complaint.closed_at = change.now


COMPLAINTS = Workflow(
    model=Complaint,
    table=TRANSITIONS,
    action=Action.COMPLAINTS_COMPLAINT_MOVED,
    has_role=has_role,
    not_allowed=_("この苦情の状態を変更する権限がありません。"),
    guards=(_recorded_first,),
    effects=(_stamp, lambda change: notices.state_changed(change.obj)),
)
