"""Grant and withdraw a handler's scope, and read the category and desk parts of it.

A scope is a django-guardian object permission `<app>.handle_<model>` on a category
(`purposes.handle_category`), on a desk whose filings the handler reads
(`safeguards.handle_desk`: requests or complaints) or, where a scope is that narrow, on one
member (`records.handle_member`), stored in the direct foreign-key tables guardian finds for
the object's model. The privacy officer holds both desks through the role (APPI Art. 40
and the notice's section 3 name the officer as the one who answers them). This module
takes the object generically so that it never imports `records` (a higher layer). Every
change writes its audit event in the same transaction.
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet, Value
from django.utils.translation import gettext as _
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from audit.trail import actor_for, append
from audit.vocabulary import Action
from purposes.models import Category

from .models import Desk
from .roles import Role, has_role


def handle_permission(model: type[Model]) -> Permission:
    """The permission that puts an object of `model` in a handler's scope."""
    return Permission.objects.get(
        codename=f"handle_{model._meta.model_name}",
        content_type=ContentType.objects.get_for_model(model),  # cached
    )


def grants(user, model: type[Model]) -> list[QuerySet]:
    """The grants of `model` objects to `user`: the direct ones and those through a group,
    as two lazy querysets of the direct foreign-key tables guardian finds for `model`.

    The permission is matched by codename through a join, not looked up first: that would
    be a query of its own on every gated request.
    """
    permission = {
        "permission__codename": f"handle_{model._meta.model_name}",
        "permission__content_type": ContentType.objects.get_for_model(model),  # cached
    }
    # guardian annotates an instance but takes the class as well (get_obj_perms_model).
    to_users = get_user_obj_perms_model(model)  # type: ignore[arg-type]
    to_groups = get_group_obj_perms_model(model)  # type: ignore[arg-type]
    return [
        to_users._default_manager.filter(**permission, user=user),
        to_groups._default_manager.filter(**permission, group__user=user),
    ]


def grant_rows(user, model: type[Model], *, tag: str, ids: bool = True) -> list[QuerySet]:
    """`grants` as (tag, object id) rows, to be combined by UNION into one query with others.

    With `ids=False` each grant is the row (tag, 0): the UNION folds them into one row that
    says only whether any exists, so a user's hundreds of member grants are not fetched.
    """
    column = "content_object_id" if ids else Value(0)
    return [table.values_list(Value(tag), column) for table in grants(user, model)]


def category_ids_for(user) -> set[int]:
    """Ids of the categories granted to `user`, directly or through one of their groups."""
    direct, via_groups = grant_rows(user, Category, tag="c")
    return {pk for _tag, pk in direct.union(via_groups)}


def desk_codes_for(user) -> set[str]:
    """The desks (`Desk.Code`) whose filings `user` handles: granted directly or through a
    group, and both for the privacy officer."""
    if not user.is_authenticated:
        return set()
    if has_role(user, Role.PRIVACY_OFFICER):
        return set(Desk.Code.values)
    direct, via_groups = (
        table.values_list("content_object__code", flat=True) for table in grants(user, Desk)
    )
    return set(direct.union(via_groups))


def handles_desk(user, code: str) -> bool:
    """Whether `user` reads and handles the filings of the desk `code` (a `Desk.Code`)."""
    return code in desk_codes_for(user)


def _scope_object(category, member, desk) -> Model:
    given = [obj for obj in (category, member, desk) if obj is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of category, member and desk")
    return given[0]


def _require_manager(by, table: type[Model], change: str) -> None:
    if not by.has_perm(f"{table._meta.app_label}.{change}_{table._meta.model_name}"):
        raise PermissionDenied(_("担当の割当てを変更できるのは個人情報取扱責任者です。"))


def _refuse_oneself(user, by) -> None:
    if isinstance(by, AbstractBaseUser) and by.pk == user.pk:
        raise PermissionDenied(_("自分自身に担当を割り当てることはできません。"))


def my_number_refusal(user, category) -> str | None:
    """Why `category` may not be put in `user`'s scope, or None: a category flagged 個人番号を
    含む goes only to a designated 個人番号事務取扱担当者 (番号法; 特定個人情報ガイドライン
    「事務取扱担当者の明確化」). The gate withholds it from anyone else at every read; this
    refuses the grant itself, so that the scope register never lists one undesignated."""
    if category is None or not category.includes_my_number:
        return None
    if has_role(user, Role.MY_NUMBER_HANDLER):
        return None
    return _(
        "類型「%(category)s」は個人番号を含むため、個人番号事務取扱担当者に指定された職員にだけ"
        "割り当てられます（番号法、特定個人情報ガイドライン「事務取扱担当者の明確化」）。"
        "%(user)s を先に「個人番号事務取扱担当者」のグループに加えてから割り当ててください。"
    ) % {"category": category.name, "user": user.get_username()}


def _refuse_my_number(user, category) -> None:
    if refusal := my_number_refusal(user, category):
        raise PermissionDenied(refusal)


def ask_scope_grant(*, user, category=None, desk=None, by):
    """Ask a second privacy officer to approve putting a category or a desk in `user`'s
    scope (`safeguards.approvals`); `grant_scope` runs when one approves."""
    from .approvals import Kind, ask

    obj = _scope_object(category, None, desk)
    _require_manager(by, get_user_obj_perms_model(obj), "add")
    _refuse_my_number(user, category)
    field = "category" if category is not None else "desk"
    what = _("類型「%s」") % category.name if category is not None else _("窓口「%s」") % desk
    return ask(
        kind=Kind.SCOPE_GRANT,
        change={"op": "grant_scope", "user": user.pk, field: obj.pk},
        description=_("%(user)s に%(what)sの担当を割り当てる")
        % {"user": user.get_username(), "what": what},
        subject=user,
        by=by,
    )


@transaction.atomic
def grant_scope(*, user, category=None, member=None, desk=None, by) -> Model:
    """Put a category, a member or a desk in `user`'s scope; return the grant (new or not).

    Nobody grants themself a scope, nor a category flagged 個人番号を含む to someone not
    designated (`my_number_refusal`, checked again when an approval carries it out); in the
    admin a grant runs only once a second privacy officer approved it (`ask_scope_grant`)."""
    obj = _scope_object(category, member, desk)
    table = get_user_obj_perms_model(obj)
    _require_manager(by, table, "add")
    _refuse_oneself(user, by)
    _refuse_my_number(user, category)
    grant, created = table._default_manager.get_or_create(
        user=user, permission=handle_permission(type(obj)), content_object=obj
    )
    if created:
        append(
            action=Action.SAFEGUARDS_SCOPE_GRANTED,
            actor=actor_for(by),
            target=obj,
            details={"user": user.pk},
        )
    return grant


@transaction.atomic
def withdraw_scope(*, user, category=None, member=None, desk=None, by) -> bool:
    """Take a category, a member or a desk out of `user`'s scope; False if it was not in it."""
    obj = _scope_object(category, member, desk)
    table = get_user_obj_perms_model(obj)
    _require_manager(by, table, "delete")
    deleted = table._default_manager.filter(
        user=user, permission=handle_permission(type(obj)), content_object=obj
    ).delete()[0]
    if deleted:
        append(
            action=Action.SAFEGUARDS_SCOPE_WITHDRAWN,
            actor=actor_for(by),
            target=obj,
            details={"user": user.pk},
        )
    return bool(deleted)
