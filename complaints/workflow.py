"""The handling of a complaint as a table of states, and the one function that moves it.

APPI Art. 40(1): a business handles complaints about its handling of personal information
"appropriately and promptly". Every move is checked against `TRANSITIONS` and against who
may make it, under a row lock, with its audit event in the same transaction; the mail goes
out only once the move has committed. Nothing else writes `Complaint.state`.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import actor_for, append
from safeguards.roles import Role, has_role

from . import notices
from .models import Complaint

State = Complaint.State

TRANSITIONS: dict[str, set[str]] = {
    State.RECEIVED: {State.ACKNOWLEDGED, State.ESCALATED, State.WITHDRAWN},
    State.ACKNOWLEDGED: {State.INVESTIGATING, State.ESCALATED, State.RESPONDED, State.WITHDRAWN},
    State.INVESTIGATING: {State.ESCALATED, State.RESPONDED, State.WITHDRAWN},
    # The privacy officer answers, or hands the complaint back to the desk.
    State.ESCALATED: {State.INVESTIGATING, State.RESPONDED, State.WITHDRAWN},
    # Reopened when the answer does not settle it.
    State.RESPONDED: {State.INVESTIGATING, State.CLOSED},
    State.CLOSED: set(),
    State.WITHDRAWN: set(),
}

# The moves by which the desk first writes back to the complainant: the first response.
FIRST_RESPONSES = {State.ACKNOWLEDGED, State.RESPONDED}


class TransitionRefused(Exception):
    """A move that was not made; the message, in Japanese, says why."""


class NotInTable(TransitionRefused):
    pass


class NotAllowed(TransitionRefused, PermissionDenied):
    pass


class Incomplete(TransitionRefused):
    pass


class ChangedMeanwhile(TransitionRefused):
    """Another member of staff moved the complaint first; this move was not made."""


def may(user, complaint: Complaint) -> bool:
    """Whether `user` may move `complaint` at all: the desk, or the privacy officer once it
    has been escalated to them."""
    if complaint.state == State.ESCALATED:
        return has_role(user, Role.PRIVACY_OFFICER)
    return user.has_perm("complaints.handle_complaint")


def _missing(complaint: Complaint, to: str) -> str:
    if to == State.RESPONDED and not complaint.response.strip():
        return _("回答済みにする前に、申出人に送付した回答の文面を記録してください。")
    if to == State.CLOSED and not complaint.cause:
        return _("完了にする前に、原因の分類を記録してください。")
    return ""


def transition(complaint: Complaint, to: str, *, by) -> Complaint:
    """Move `complaint` to state `to` on behalf of staff member `by`, and return it fresh.

    Raises `NotInTable` for a move the table does not allow, `NotAllowed` when `by` may not
    make it, `Incomplete` when the move needs something recorded first, and
    `ChangedMeanwhile` when someone else moved the complaint after the caller read it.
    """
    with transaction.atomic():
        # The row lock makes two simultaneous moves queue; the second sees the first's state
        # and is refused, rather than both passing the table check on a stale read.
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.state != complaint.state:
            raise ChangedMeanwhile(
                _("他の職員がこの苦情の状態を「%(state)s」に変更しました。画面を更新してください。")
                % {"state": locked.get_state_display()}
            )
        if to not in TRANSITIONS[locked.state]:
            raise NotInTable(
                _("「%(from)s」から「%(to)s」には変更できません。")
                % {"from": locked.get_state_display(), "to": State(to).label}
            )
        if not may(by, locked):
            raise NotAllowed(_("この苦情の状態を変更する権限がありません。"))
        if missing := _missing(locked, to):
            raise Incomplete(missing)

        now = timezone.now()
        previous = locked.state
        locked.state = to
        if to in FIRST_RESPONSES and locked.acknowledged_at is None:
            locked.acknowledged_at = now
        if to == State.RESPONDED:
            locked.responded_at = now
        if to in {State.CLOSED, State.WITHDRAWN}:
            locked.closed_at = now
        locked.save(update_fields=["state", "acknowledged_at", "responded_at", "closed_at"])
        append(
            action="complaint.transition",
            actor=actor_for(by),
            target=locked,
            details={"from": previous, "to": to},
        )
        transaction.on_commit(lambda: notices.state_changed(locked))
    return locked
