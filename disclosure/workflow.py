"""The request workflow: its table of states and moves, declared with `core.workflow`.

`core.workflow.transition` is the only writer of `Request.state`. It never reads personal
data; the operations that need it (`disclosure.services`) call it inside their own
transaction, so the state, the effects and the audit event commit together (DESIGN
invariants 2 and 4).
"""

from django.utils.translation import gettext_lazy as _

from audit.vocabulary import Action
from core.workflow import Change, Move, Workflow
from safeguards.roles import Role, has_role

from . import letters, notify, services
from .models import Letter, Request

State = Request.State
STAFF = frozenset({Role.HANDLER, Role.PRIVACY_OFFICER})
OFFICER = frozenset({Role.PRIVACY_OFFICER})

NOTE = frozenset({"state_note"})
DOCUMENTS = Move(STAFF, _("追加書類を依頼する"), sets=NOTE, needs=NOTE)
REJECT = Move(OFFICER, _("本人確認ができないため却下する"), sets=NOTE, needs=NOTE)
WITHDRAW = Move(STAFF, _("取下げを記録する"), sets=NOTE)
CLOSE = Move(STAFF, _("完了にする"))

# From each state: the states it may move to, who may, and what the move sets.
TRANSITIONS: dict[str, dict[str, Move]] = {
    State.RECEIVED: {
        State.IDENTITY_CHECK: Move(STAFF, _("本人確認を始める")),
        State.WITHDRAWN: WITHDRAW,
    },
    State.IDENTITY_CHECK: {
        State.REVIEW: Move(
            STAFF,
            _("本人確認：加入者と照合して審査に進む"),
            sets=frozenset({"member", "name_differences", "identity_document_checked"}),
            needs=frozenset({"member"}),
        ),
        State.AWAITING_DOCUMENTS: DOCUMENTS,
        State.REJECTED: REJECT,
        State.WITHDRAWN: WITHDRAW,
    },
    State.AWAITING_DOCUMENTS: {
        State.IDENTITY_CHECK: Move(STAFF, _("書類が届いたので本人確認に戻る")),
        State.REJECTED: REJECT,
        State.WITHDRAWN: WITHDRAW,
    },
    State.REVIEW: {
        State.DECIDED: Move(
            OFFICER,
            _("決定する"),
            sets=frozenset({"outcome", "reasons", "decided_at"}),
            needs=frozenset({"outcome", "decided_at"}),
        ),
        State.WITHDRAWN: WITHDRAW,
    },
    # Nothing to carry out after a refusal: a decided request may close at once.
    State.DECIDED: {State.CARRIED_OUT: Move(STAFF, _("決定を実施する")), State.CLOSED: CLOSE},
    State.CARRIED_OUT: {State.CLOSED: CLOSE},
    State.CLOSED: {},
    State.WITHDRAWN: {},
    State.REJECTED: {},
}

# The letter each move sends to the requester.
LETTERS: dict[str, str] = {
    State.AWAITING_DOCUMENTS: Letter.Kind.DOCUMENTS,
    State.REJECTED: Letter.Kind.REJECTION,
    State.DECIDED: Letter.Kind.DECISION,
    State.CARRIED_OUT: Letter.Kind.COMPLETION,
}


def _issue_letter(change: Change[Request]) -> None:
    if kind := LETTERS.get(change.to):
        letters.issue(change.obj, kind)


def _measures_taken(change: Change[Request]) -> dict:
    # APPI Art. 35(2), (4), (6) proviso: the trail keeps which items took an alternative
    # measure instead of stopping (their ids); the measure's words stay on the item.
    if change.to != State.DECIDED:
        return {}
    taken = change.obj.items.exclude(alternative_measure="").values_list("pk", flat=True)
    return {"alternative_measures": list(taken)} if taken else {}


def _identity_checked(change: Change[Request]) -> dict:
    # The trail says that a difference of 氏名 or フリガナ was acknowledged, by field name.
    if change.to == State.REVIEW and change.obj.name_differences:
        return {
            "name_differences": list(change.obj.name_differences),
            "identity_document_checked": change.obj.identity_document_checked,
        }
    return {}


# A copy of an identity document is needed only until identity is settled (APPI Art. 22;
# ガイダンス Q&A): confirmed at 照合, or never to be, the request rejected or withdrawn.
DOCUMENTS_DONE = frozenset({State.REVIEW, State.REJECTED, State.WITHDRAWN})


def _let_documents_go(change: Change[Request]) -> None:
    # Each deletion its own `disclosure.document.purged` event naming who moved; the files
    # go after the commit.
    if change.to in DOCUMENTS_DONE:
        for pk in change.obj.documents.values_list("pk", flat=True):
            services.document_discard(pk=pk, request=change.obj, by=change.by)


def _tell_requester(change: Change[Request]) -> None:
    # Queues the mail on commit itself: the requester hears of a move only once it holds.
    notify.state_changed(change.obj)


REQUESTS = Workflow(
    model=Request,
    table=TRANSITIONS,
    action=Action.DISCLOSURE_REQUEST_MOVED,
    has_role=has_role,
    effects=(
        _identity_checked,
        _measures_taken,
        _let_documents_go,
        _issue_letter,
        _tell_requester,
    ),
)
