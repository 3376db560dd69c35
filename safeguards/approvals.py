"""Four eyes: a change that widens what someone may read, or that cannot be undone, waits for a
second privacy officer (個人情報取扱責任者) to approve it.

Four kinds (`Approval.Kind`): a scope granted (a category or a desk, to a person or a
group), a role or permission given (a group joined, a permission added to a user or a
group, a superuser made), a whole member erased (消去 with `whole_confirmed`,
`disclosure.erasure`), and a disclosure package holding 要配慮個人情報 built for release
(`disclosure.package`).

- `ask` files the change as pending; nothing happens until it is decided.
- `approve` / `reject`: only a privacy officer who neither asked for the change nor is the
  person it is for (nobody widens their own access); an approved change of scope or role is
  carried out at once, by the approver, each step in the trail.
- `require`: an erasure or a release passes only on an approval not yet used; otherwise it
  raises `ApprovalPending`, whose `file()` asks for one once the refused operation's
  transaction has rolled back (the caller's surface calls it).

Every request and every decision is an event (`safeguards.approval.requested|approved|
rejected`) naming ids only.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import actor_for, append
from audit.vocabulary import Action

from .accounts import acting
from .models import Approval, Desk
from .roles import Role, has_role

Kind = Approval.Kind
State = Approval.State


def _details(approval: Approval) -> dict:
    ids = {key: value for key, value in approval.change.items() if key != "target"}
    return {"kind": approval.kind, **ids, "subject": approval.subject_id}


@transaction.atomic
def ask(*, kind: str, change: dict, description: str, subject=None, by) -> Approval:
    """File `change` for a second officer's decision; the same change pending is not filed
    twice (that one is returned)."""
    pending = Approval.objects.filter(kind=kind, state=State.PENDING, subject=subject)
    for approval in pending.filter(change__op=change["op"]):
        if approval.change == change:
            return approval
    approval = Approval.objects.create(
        kind=kind, change=change, description=description[:300], subject=subject, requested_by=by
    )
    append(
        action=Action.SAFEGUARDS_APPROVAL_REQUESTED,
        actor=actor_for(by),
        target=approval,
        details=_details(approval),
    )
    return approval


def pending_for(user, *, kind: str | None = None):
    """The changes for `user` still waiting for a decision."""
    rows = Approval.objects.filter(subject=user, state=State.PENDING).select_related("requested_by")
    return rows.filter(kind=kind) if kind else rows


def refusal(user, approval: Approval) -> str | None:
    """Why `user` may not decide `approval`, in Japanese; None if they may."""
    if approval.state != State.PENDING:
        return _("この依頼は既に%(state)sです。") % {"state": approval.get_state_display()}
    if not (user.is_active and user.is_staff and has_role(user, Role.PRIVACY_OFFICER)):
        return _("承認・却下できるのは個人情報取扱責任者です。")
    if user.pk == approval.requested_by_id:
        return _("依頼した本人は承認・却下できません。別の個人情報取扱責任者が確認します。")
    if user.pk == approval.subject_id:
        return _("自分自身に関わる変更は承認・却下できません。別の個人情報取扱責任者が確認します。")
    group = approval.change.get("group")
    if approval.change.get("op") == "grant_scope" and user.groups.filter(pk=group).exists():
        # A grant to a group widens every member's access, the approver's too.
        return _(
            "自分が属するグループへの担当の割当ては承認・却下できません。"
            "別の個人情報取扱責任者が確認します。"
        )
    return None


def _decide(approval: Approval, *, by, state: State) -> Approval:
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if reason := refusal(by, approval):
        raise PermissionDenied(reason)
    approval.state, approval.decided_by, approval.decided_at = state, by, timezone.now()
    approval.save(update_fields=["state", "decided_by", "decided_at"])
    action = {
        State.APPROVED: Action.SAFEGUARDS_APPROVAL_APPROVED,
        State.REJECTED: Action.SAFEGUARDS_APPROVAL_REJECTED,
    }[state]
    append(action=action, actor=actor_for(by), target=approval, details=_details(approval))
    return approval


@transaction.atomic
def approve(*, approval: Approval, by) -> Approval:
    """Approve `approval` as `by` and carry out a scope or role change at once."""
    approval = _decide(approval, by=by, state=State.APPROVED)
    operation = OPERATIONS.get(approval.change.get("op"))
    if operation is not None:
        with acting(by):
            operation(approval.change, by)
        approval.used_at = timezone.now()
        approval.save(update_fields=["used_at"])
    return approval


@transaction.atomic
def reject(*, approval: Approval, by) -> Approval:
    return _decide(approval, by=by, state=State.REJECTED)


# --- What an approval carries out -------------------------------------------------------


def _user(pk: int):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)


def _grant_scope(change: dict, by) -> None:
    from purposes.models import Category

    from .scopes import grant_scope

    if "group" in change:
        holder = {"group": Group.objects.get(pk=change["group"])}
    else:
        holder = {"user": _user(change["user"])}
    if "category" in change:
        grant_scope(**holder, category=Category.objects.get(pk=change["category"]), by=by)
    else:
        grant_scope(**holder, desk=Desk.objects.get(pk=change["desk"]), by=by)


def _add_group(change: dict, by) -> None:
    _user(change["user"]).groups.add(Group.objects.get(pk=change["group"]))


def _add_user_permission(change: dict, by) -> None:
    _user(change["user"]).user_permissions.add(Permission.objects.get(pk=change["permission"]))


def _add_group_permission(change: dict, by) -> None:
    Group.objects.get(pk=change["group"]).permissions.add(
        Permission.objects.get(pk=change["permission"])
    )


def _set_superuser(change: dict, by) -> None:
    user = _user(change["user"])
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])


OPERATIONS = {
    "grant_scope": _grant_scope,
    "add_group": _add_group,
    "add_user_permission": _add_user_permission,
    "add_group_permission": _add_group_permission,
    "set_superuser": _set_superuser,
}


# --- Permits: an erasure or a release passes on an approval, once ------------------------


def permit_change(target: Model) -> dict:
    return {"op": "permit", "target": target._meta.label_lower, "id": target.pk}


def _permits(target: Model):
    # Key lookups, not the whole JSON: SQLite would compare the text, key order included.
    return Approval.objects.filter(
        change__op="permit", change__target=target._meta.label_lower, change__id=target.pk
    )


class ApprovalPending(ValidationError):
    """The operation needs a second officer's approval, which has not been given (yet)."""

    def __init__(self, *, kind: str, target: Model, description: str, by):
        self.kind, self.target, self.description, self.by = kind, target, description, by
        pending = _permits(target).filter(kind=kind, state=State.PENDING).exists()
        super().__init__(
            _(
                "%(what)sには、別の個人情報取扱責任者の承認が必要です。%(state)s"
                "承認の後にもう一度行ってください（管理画面の「承認（二者確認）」）。"
            )
            % {
                "what": Kind(kind).label,
                "state": _("承認を依頼済みです。") if pending else _("承認を依頼しました。"),
            }
        )

    def file(self) -> Approval:
        """Ask for the approval; call it after the refused operation's transaction rolled back."""
        return ask(
            kind=self.kind,
            change=permit_change(self.target),
            description=self.description,
            by=self.by,
        )


def require(*, kind: str, target: Model, description: str, by) -> Approval:
    """Pass (and spend the approval) if a second officer approved `kind` for `target`;
    raise `ApprovalPending` otherwise."""
    approved = (
        _permits(target)
        .select_for_update()
        .filter(kind=kind, state=State.APPROVED, used_at__isnull=True)
        .first()
    )
    if approved is None:
        raise ApprovalPending(kind=kind, target=target, description=description, by=by)
    approved.used_at = timezone.now()
    approved.save(update_fields=["used_at"])
    return approved
