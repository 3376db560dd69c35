"""The workflow engine: each workflow declares its table, and one `transition` moves them all.

A `Workflow` names a model, its state field, the moves from each state (who may make each
one, the fields it sets and needs), the guards that refuse a move with a reason, the effects
that go with it, the audit action it writes and what to do once it has committed. The
domain apps declare theirs (`disclosure.workflow`, `complaints.workflow`,
`safeguards.incidents`, `safeguards.organisation`); `core` knows none of them, so who holds
which role is answered by a callable the domain app supplies.

`transition` is the only writer of a workflow's state field (DESIGN invariant 4): under a
row lock it refuses a stale read, a move off the table, an actor the move does not allow
and a move that lacks what it needs, each with a message in Japanese; then it moves, runs
the effects (mail among them, through `core.outbox`) and appends the event in the same
transaction (invariant 2), so that nothing announces a move that rolled back.
"""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import trail
from audit.vocabulary import Action

# Who may make a move: role names (checked through the workflow's `has_role`), or a
# predicate of the user and the row as it stands before the move.
Who = frozenset[str] | Callable[[Any, Any], bool]  # roles, or a test of (user, row)


class Refused(Exception):
    """A move that was not made; nothing changed. The message, in Japanese, says why."""


class NotInTable(Refused):
    """The table has no such move from the row's state."""


class NotAllowed(Refused, PermissionDenied):
    """The move is in the table, but not for this user."""


class Incomplete(Refused):
    """The move needs something recorded first, or a value it was given is not valid."""


class ChangedMeanwhile(Refused):
    """Someone else moved the row after the caller read it: the caller acted on a state
    that no longer holds, and must look again."""


@dataclass(frozen=True)
class Move:
    """One move of a table: who may make it and what it takes.

    `sets` are the model fields the caller gives with the move (`transition(..., name=value)`)
    and `needs` those of them that must not be empty; `takes` are values the effects read
    that are not fields (a note for a timeline, the time of the move). `action` replaces the
    workflow's audit action for this move, where the trail already names it apart.
    """

    who: Who
    label: str | Promise = ""
    sets: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    takes: frozenset[str] = frozenset()
    action: Action | None = None


M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Change(Generic[M]):
    """A move being made, as guards, effects and after-commit actions see it: `obj` is the
    locked row (after the move, for effects and after-commit actions)."""

    obj: M
    previous: str
    to: str
    by: Any
    now: datetime.datetime
    values: Mapping[str, Any]


Guard = Callable[[Change[M]], str | Promise | None]
Effect = Callable[[Change[M]], Mapping[str, Any] | None]

NOT_ALLOWED = gettext_lazy("この操作を行う権限がありません。")

_WORKFLOWS: dict[type[models.Model], "Workflow[Any]"] = {}


@dataclass(frozen=True)
class Workflow(Generic[M]):
    """A model's states and the moves between them, and the audit action they write
    (unless each move names its own).

    `guards` return the reason a move cannot be made yet (or None); they see the row with
    the given fields set and the state not yet moved. `effects` run after the state has
    moved and before the row is validated and saved: they stamp dates, write timelines and
    letters, queue mail (`core.outbox`, in the move's transaction), and may return details
    for the audit event.
    """

    model: type[M]
    table: Mapping[str, Mapping[str, Move]]
    action: Action | None = None
    state_field: str = "state"
    has_role: Callable[[Any, Any], bool] | None = None  # (user, one of the domain's roles)
    not_allowed: str | Promise = NOT_ALLOWED
    guards: tuple[Guard[M], ...] = ()
    effects: tuple[Effect[M], ...] = ()

    def __post_init__(self):
        names = {value for value, _label in self.model._meta.get_field(self.state_field).choices}
        if set(self.table) != names or any(set(moves) - names for moves in self.table.values()):
            raise ValueError(f"{self.model.__name__}: the table must cover every state, no more")
        moves = [move for moves in self.table.values() for move in moves.values()]
        if not self.action and not all(move.action for move in moves):
            raise ValueError(f"{self.model.__name__}: every move needs an audit action")
        if self.has_role is None and not all(callable(move.who) for move in moves):
            raise ValueError(f"{self.model.__name__}: roles need the domain's has_role")
        _WORKFLOWS[self.model] = self

    def state_of(self, obj: models.Model) -> str:
        return getattr(obj, self.state_field)

    def label_of(self, state: str) -> str:
        return str(dict(_field(self.model, self.state_field).choices or ()).get(state, state))

    def move_label(self, to: str, move: Move) -> str:
        return str(move.label or _("「%(to)s」にする") % {"to": self.label_of(to)})

    def is_allowed(self, user, obj: models.Model, move: Move) -> bool:
        if callable(move.who):
            return bool(move.who(user, obj))
        # __post_init__ refuses roles without has_role
        return self.has_role is not None and any(self.has_role(user, role) for role in move.who)

    def moves_for(self, user, obj: models.Model) -> list[tuple[str, Move]]:
        """The moves `user` may make from `obj`'s state, in the order of the table."""
        moves = self.table[self.state_of(obj)]
        return [(to, move) for to, move in moves.items() if self.is_allowed(user, obj, move)]

    def refusal(self, user, obj: models.Model, to: str) -> Refused | None:
        """Why `user` may not move `obj` (the fresh row) to `to`, if the table or the move's
        `who` says so."""
        state = self.state_of(obj)
        move = self.table[state].get(to)
        if move is None:
            return NotInTable(
                _("「%(from)s」の%(noun)sを「%(to)s」にすることはできません。")
                % {
                    "from": self.label_of(state),
                    "noun": self.model._meta.verbose_name,
                    "to": self.label_of(to),
                }
            )
        if not self.is_allowed(user, obj, move):
            return NotAllowed(str(self.not_allowed))
        return None

    def changed_meanwhile(self, obj: models.Model) -> ChangedMeanwhile:
        """The refusal of a caller whose view of `obj` is older than `obj` (the fresh row)."""
        return ChangedMeanwhile(
            _(
                "この%(noun)s（%(name)s）は他の職員が先に処理し、現在は「%(state)s」です。"
                "画面を更新して内容を確認してください。"
            )
            % {
                "noun": self.model._meta.verbose_name,
                "name": obj,
                "state": self.label_of(self.state_of(obj)),
            }
        )


def workflow_of(obj_or_model: models.Model | type[models.Model]) -> Workflow[Any]:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _WORKFLOWS[model._meta.concrete_model or model]


def _field(model: type[models.Model], name: str) -> models.Field:
    """A column of `model` (a state, or a field a move sets or needs)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def missing(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The labels of the fields `names` (in their order) that `obj` leaves empty: what a
    move's refusal lists."""
    return [
        str(_field(type(obj), name).verbose_name) for name in names if _empty(getattr(obj, name))
    ]


def transition(obj: M, to: str, *, by, **values) -> M:
    """Move `obj` to the state `to` on behalf of `by`; return the moved row.

    `obj` is the caller's view: when its state is no longer the row's, someone moved it
    meanwhile (`ChangedMeanwhile`). Then a move off the table (`NotInTable`), a user the
    move does not allow (`NotAllowed`, a PermissionDenied), a missing or invalid field or a
    guard's reason (`Incomplete`): all `Refused`, and nothing changes. Values the move does
    not declare are a programming error (TypeError). The caller's `obj` is updated in place.
    """
    workflow = workflow_of(obj)
    field_name = workflow.state_field
    seen = workflow.state_of(obj)
    with transaction.atomic():
        # The lock makes the second of two concurrent movers wait for the first to commit,
        # then see the state the first one left (on SQLite the write lock of BEGIN
        # IMMEDIATE does the same).
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        previous = workflow.state_of(locked)
        if previous != seen:
            raise workflow.changed_meanwhile(locked)
        if refusal := workflow.refusal(by, locked, to):
            raise refusal
        move = workflow.table[previous][to]
        if unknown := set(values) - move.sets - move.takes:
            raise TypeError(f"moving to {to} does not take {sorted(unknown)}")
        for name in move.sets & set(values):
            setattr(locked, name, values[name])
        if empty := missing(locked, sorted(move.needs)):
            raise Incomplete(
                _("「%(to)s」にするには次の項目が必要です：%(fields)s")
                % {"to": workflow.label_of(to), "fields": "、".join(empty)}
            )
        change = Change(
            obj=locked,
            previous=previous,
            to=to,
            by=by,
            now=values.get("now") or timezone.now(),
            values=values,
        )
        for guard in workflow.guards:
            if reason := guard(change):
                raise Incomplete(str(reason))
        setattr(locked, field_name, to)
        details = {"from": previous, "to": to}
        # Effects stamp fields that the model's constraints check, so they run before the
        # row is validated; a refusal from here on rolls their rows back with the move.
        for effect in workflow.effects:
            details |= effect(change) or {}
        try:
            locked.full_clean()
        except ValidationError as invalid:
            raise Incomplete(" ".join(invalid.messages)) from invalid
        locked.save()
        action = move.action or workflow.action
        assert action is not None  # __post_init__: every move has its action
        trail.append(
            action=action,
            actor=trail.actor_for(by),
            target=locked,
            details=details,
        )
    obj.__dict__.update(
        {f.attname: getattr(locked, f.attname) for f in workflow.model._meta.concrete_fields}
    )
    return locked
