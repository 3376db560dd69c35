"""Every change of a staff account, a group, a permission or an API token is an event.

Django's own models (`User`, `Group`, `Permission`) and DRF's `Token` are changed by the
admin's forms, by commands and by `safeguards.approvals`; the signals here see all of them
and append, in the same transaction, who did what to which account: ids, field names, the
flags' new values and permission codenames, never a name or an address. The actor is the
signed-in user of the request (`ActingUserMiddleware`) or of an `acting(user)` block, the
system otherwise (a command).

A token dies with its holder's staff status: clearing `is_staff` or `is_active` deletes the
user's tokens at once (and `safeguards.tokens` refuses a token of a user who is not active
staff, whatever is left).
"""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from rest_framework.authtoken.models import Token, TokenProxy

from audit.trail import SYSTEM, Actor, actor_for, append
from audit.vocabulary import Action

from .models import ApiToken

User = get_user_model()

# The account fields whose changes are events; the flags also give their new value.
TRACKED = (
    "username",
    "first_name",
    "last_name",
    "email",
    "password",
    "is_staff",
    "is_active",
    "is_superuser",
)
FLAGS = ("is_staff", "is_active", "is_superuser")

_acting: contextvars.ContextVar[Callable[[], object] | None] = contextvars.ContextVar(
    "safeguards_acting", default=None
)


@contextmanager
def acting(user) -> Iterator[None]:
    """Changes made inside the block are `user`'s in the trail."""
    token = _acting.set(lambda: user)
    try:
        yield
    finally:
        _acting.reset(token)


class ActingUserMiddleware:
    """Names the request's signed-in user as the actor of the account changes it makes.

    Read when an event is written, not now: the API authenticates its token later, in the
    view, and sets `request.user` then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _acting.set(lambda: getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            _acting.reset(token)


def _actor() -> Actor:
    current = _acting.get()
    user = current() if current else None
    if isinstance(user, AbstractBaseUser) and user.is_authenticated:
        return actor_for(user)
    return SYSTEM


def _loaded(instance) -> None:
    # Loaded as it was (a fixture, a test database restored from its serialized copy): no
    # one changes it, and the many-to-many rows set right after are not changes either.
    instance._kumiai_loaded = True


def _before(sender, instance, update_fields=None, **kwargs) -> None:
    # A sign-in saves only `last_login`: not a change of the account.
    if instance.pk is None or (update_fields is not None and set(update_fields) <= {"last_login"}):
        instance._kumiai_before = None
        return
    instance._kumiai_before = User.objects.filter(pk=instance.pk).values(*TRACKED).first()


def _user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        _loaded(instance)
        return
    if created:
        append(
            action=Action.SAFEGUARDS_USER_CREATED,
            actor=_actor(),
            target=instance,
            details={flag: getattr(instance, flag) for flag in FLAGS},
        )
        return
    before = getattr(instance, "_kumiai_before", None)
    if not before:
        return
    changed = [name for name in TRACKED if before[name] != getattr(instance, name)]
    if not changed:
        return
    append(
        action=Action.SAFEGUARDS_USER_CHANGED,
        actor=_actor(),
        target=instance,
        details={"fields": changed}
        | {flag: getattr(instance, flag) for flag in FLAGS if flag in changed},
    )
    if not (instance.is_staff and instance.is_active):
        # The token dies with the staff status, now, not at its expiry.
        for token in Token.objects.filter(user=instance):
            token.delete()


def _user_deleted(sender, instance, **kwargs) -> None:
    append(
        action=Action.SAFEGUARDS_USER_DELETED,
        actor=_actor(),
        target_type=instance._meta.label_lower,
        target_id=instance.pk,
    )


def _group_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        _loaded(instance)
        return
    action = Action.SAFEGUARDS_GROUP_CREATED if created else Action.SAFEGUARDS_GROUP_CHANGED
    append(action=action, actor=_actor(), target=instance, details={"group": instance.pk})


def _group_deleted(sender, instance, **kwargs) -> None:
    append(
        action=Action.SAFEGUARDS_GROUP_DELETED,
        actor=_actor(),
        target_type=instance._meta.label_lower,
        target_id=instance.pk,
        details={"group": instance.pk},
    )


def _codenames(ids) -> list[str]:
    rows = Permission.objects.filter(pk__in=ids).values_list("content_type__app_label", "codename")
    return sorted(f"{app}.{codename}" for app, codename in rows)


def _m2m(owner: str, other: str, added: Action, removed: Action, *, describe=None):
    """A receiver for one many-to-many table: one event per owner (user or group) changed,
    naming the other side's ids (groups) or codenames (permissions)."""

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
        if getattr(instance, "_kumiai_loaded", False):
            return
        if action == "pre_clear":
            # Which rows a clear removes, read before they go: the other side's ids, or
            # (cleared from the other side) the owners'.
            mine, theirs = (other, owner) if reverse else (owner, other)
            instance._kumiai_cleared = set(
                sender.objects.filter(**{f"{mine}_id": instance.pk}).values_list(
                    f"{theirs}_id", flat=True
                )
            )
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        ids = pk_set if action != "post_clear" else getattr(instance, "_kumiai_cleared", set())
        if not ids:
            return
        pairs = [(pk, instance.pk) for pk in ids] if reverse else [(instance.pk, pk) for pk in ids]
        by_owner: dict[int, list[int]] = {}
        for owner_id, other_id in pairs:
            by_owner.setdefault(owner_id, []).append(other_id)
        event = added if action == "post_add" else removed
        for owner_id, others in sorted(by_owner.items()):
            values = describe(others) if describe else sorted(others)
            append(
                action=event,
                actor=_actor(),
                target_type=f"auth.{owner}",
                target_id=owner_id,
                details={owner: owner_id, other + "s": values},
            )

    return receiver


def _token_created(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        # The target is the holder: a token's primary key is its secret.
        append(
            action=Action.SAFEGUARDS_TOKEN_CREATED,
            actor=_actor(),
            target_type="auth.user",
            target_id=instance.user_id,
            details={"user": instance.user_id},
        )


def _token_deleted(sender, instance, **kwargs) -> None:
    append(
        action=Action.SAFEGUARDS_TOKEN_REVOKED,
        actor=_actor(),
        target_type="auth.user",
        target_id=instance.user_id,
        details={"user": instance.user_id},
    )


def connect() -> None:
    pre_save.connect(_before, sender=User, dispatch_uid="kumiai_user_before")
    post_save.connect(_user_saved, sender=User, dispatch_uid="kumiai_user_saved")
    post_delete.connect(_user_deleted, sender=User, dispatch_uid="kumiai_user_deleted")
    post_save.connect(_group_saved, sender=Group, dispatch_uid="kumiai_group_saved")
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid="kumiai_group_deleted")
    # A proxy's instances (DRF's TokenProxy, our ApiToken in the admin) signal as the proxy.
    for model in (Token, TokenProxy, ApiToken):
        post_save.connect(
            _token_created, sender=model, dispatch_uid=f"kumiai_{model.__name__}_made"
        )
        post_delete.connect(
            _token_deleted, sender=model, dispatch_uid=f"kumiai_{model.__name__}_revoked"
        )
    tables = (
        (
            User.groups.through,
            _m2m(
                "user",
                "group",
                Action.SAFEGUARDS_MEMBERSHIP_ADDED,
                Action.SAFEGUARDS_MEMBERSHIP_REMOVED,
            ),
        ),
        (
            User.user_permissions.through,
            _m2m(
                "user",
                "permission",
                Action.SAFEGUARDS_USERPERMISSION_ADDED,
                Action.SAFEGUARDS_USERPERMISSION_REMOVED,
                describe=_codenames,
            ),
        ),
        (
            Group.permissions.through,
            _m2m(
                "group",
                "permission",
                Action.SAFEGUARDS_GROUPPERMISSION_ADDED,
                Action.SAFEGUARDS_GROUPPERMISSION_REMOVED,
                describe=_codenames,
            ),
        ),
    )
    for table, receiver in tables:
        m2m_changed.connect(
            receiver, sender=table, weak=False, dispatch_uid=f"kumiai_{table._meta.db_table}"
        )
