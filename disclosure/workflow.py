"""The request workflow: one table of states, one function that moves a request.

`transition` is the only writer of `Request.state`. It never reads personal data; the
operations that need it (`disclosure.services`) call it inside their own transaction, so
the state, the effects and the audit event commit together (DESIGN invariants 2 and 4).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit import trail
from safeguards.roles import Role, has_role

from . import letters, notify
from .models import Letter, Request

State = Request.State
STAFF = frozenset({Role.HANDLER, Role.PRIVACY_OFFICER})
OFFICER = frozenset({Role.PRIVACY_OFFICER})

# From each state: the states it may move to, and the roles that may move it there.
TRANSITIONS: dict[str, dict[str, frozenset]] = {
    State.RECEIVED: {State.IDENTITY_CHECK: STAFF, State.WITHDRAWN: STAFF},
    State.IDENTITY_CHECK: {
        State.REVIEW: STAFF,
        State.AWAITING_DOCUMENTS: STAFF,
        State.REJECTED: OFFICER,
        State.WITHDRAWN: STAFF,
    },
    State.AWAITING_DOCUMENTS: {
        State.IDENTITY_CHECK: STAFF,
        State.REJECTED: OFFICER,
        State.WITHDRAWN: STAFF,
    },
    State.REVIEW: {State.DECIDED: OFFICER, State.WITHDRAWN: STAFF},
    # Nothing to carry out after a refusal: a decided request may close at once.
    State.DECIDED: {State.CARRIED_OUT: STAFF, State.CLOSED: STAFF},
    State.CARRIED_OUT: {State.CLOSED: STAFF},
    State.CLOSED: {},
    State.WITHDRAWN: {},
    State.REJECTED: {},
}

# The fields each move sets on the request, and which of them it cannot do without.
EFFECTS: dict[str, tuple[frozenset, frozenset]] = {
    State.REVIEW: (frozenset({"member"}), frozenset({"member"})),
    State.AWAITING_DOCUMENTS: (frozenset({"state_note"}), frozenset({"state_note"})),
    State.REJECTED: (frozenset({"state_note"}), frozenset({"state_note"})),
    State.WITHDRAWN: (frozenset({"state_note"}), frozenset()),
    State.DECIDED: (
        frozenset({"outcome", "reasons", "decided_at"}),
        frozenset({"outcome", "decided_at"}),
    ),
}

# The letter each move sends to the requester.
LETTERS = {
    State.AWAITING_DOCUMENTS: Letter.Kind.DOCUMENTS,
    State.REJECTED: Letter.Kind.REJECTION,
    State.DECIDED: Letter.Kind.DECISION,
    State.CARRIED_OUT: Letter.Kind.COMPLETION,
}


class TransitionRefused(Exception):
    """The move is not in the table from the request's current state."""

    def __init__(self, request: Request, to: str):
        super().__init__(
            _("「%(state)s」の請求を「%(to)s」にすることはできません。")
            % {"state": request.get_state_display(), "to": State(to).label}
        )


class RequestChangedMeanwhile(Exception):
    """Someone else moved the request after the caller read it: the caller acted on a
    state that no longer holds, and must look again."""

    def __init__(self, request: Request):
        super().__init__(
            _(
                "この請求（%(receipt)s）は他の職員が先に処理し、現在は「%(state)s」です。"
                "画面を更新して内容を確認してください。"
            )
            % {"receipt": request.receipt_number, "state": request.get_state_display()}
        )


def may_transition(user, request: Request, to: str) -> bool:
    roles = TRANSITIONS[request.state].get(to, frozenset())
    return any(has_role(user, role) for role in roles)


def transition(request: Request, to: str, *, by, **effects) -> Request:
    """Move `request` to the state `to` on behalf of the staff user `by`.

    Refuses a move off the table (`TransitionRefused`), a user without a role allowed to
    make it (`PermissionDenied`), and effects the move does not take or lacks
    (`ValueError`). Locks the row: when two staff act on the same request at once, the
    second finds the state changed under it and gets `RequestChangedMeanwhile`. Writes the
    audit event and the letter in the caller's transaction; mails after commit.
    Returns the updated request (also updates `request` in place).
    """
    allowed, required = EFFECTS.get(to, (frozenset(), frozenset()))
    if unknown := set(effects) - allowed:
        raise ValueError(f"moving to {to} does not set {sorted(unknown)}")
    if missing := {name for name in required if not effects.get(name)}:
        raise ValueError(f"moving to {to} needs {sorted(missing)}")
    with transaction.atomic():
        # The lock makes the second of two concurrent movers wait for the first to commit,
        # then see the state the first one left (on SQLite the write lock of BEGIN
        # IMMEDIATE does the same).
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.state != request.state:
            raise RequestChangedMeanwhile(locked)
        if to not in TRANSITIONS[locked.state]:
            raise TransitionRefused(locked, to)
        if not may_transition(by, locked, to):
            raise PermissionDenied(_("この操作を行う権限がありません。"))
        previous = locked.state
        locked.state = to
        for name, value in effects.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        trail.append(
            action="disclosure.transition",
            actor=trail.actor_for(by),
            target=locked,
            details={"from": previous, "to": to},
        )
        if kind := LETTERS.get(to):
            letters.issue(locked, kind)
        notify.state_changed_on_commit(locked)
    request.__dict__.update(
        {field.attname: getattr(locked, field.attname) for field in Request._meta.concrete_fields}
    )
    return locked
