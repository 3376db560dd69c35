"""Grant and withdraw a handler's scope, and read the category and desk parts of it.

A scope is a django-guardian object permission `<app>.handle_<model>` on a category
(`purposes.handle_category`), on a desk whose filings the handler reads
(`safeguards.handle_desk`: requests or complaints) or, where a scope is that narrow, on one
member (`records.handle_member`), stored in the direct foreign-key tables guardian finds for
the object's model. A category or a desk may be granted to a group (a 係) as well as to one
person: every member of the group then holds it through the group, and the scope register
says through which group (`group_scopes`). The privacy officer holds both desks through the
role (APPI Art. 40 and the notice's section 3 name the officer as the one who answers them).
This module
takes the object generically so that it never imports `records` (a higher layer). Every
change writes its audit event in the same transaction.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Prefetch, QuerySet, Value
from django.utils.translation import gettext as _
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from audit.trail import actor_for, append
from audit.vocabulary import Action
from purposes.models import Category

from .models import CategoryGroupObjectPermission, Desk, DeskGroupObjectPermission
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


def _holder(user, group) -> dict:
    """Who a grant is for, as the grant table's lookup: one person or one group."""
    if (user is None) == (group is None):
        raise ValueError("give exactly one of user and group")
    return {"user": user} if user is not None else {"group": group}


def _table(obj: Model, holder: dict) -> type[Model]:
    """The grant table of `obj`'s model for `holder`: guardian's direct foreign-key table."""
    if "user" in holder:
        return get_user_obj_perms_model(obj)
    return get_group_obj_perms_model(obj)


def _require_manager(by, obj: Model, change: str) -> None:
    # The same permission for a person's grant and a group's: the officer's, on the
    # person's table (a group's grant widens every member's access as much).
    table = get_user_obj_perms_model(obj)
    if not by.has_perm(f"{table._meta.app_label}.{change}_{table._meta.model_name}"):
        raise PermissionDenied(_("担当の割当てを変更できるのは個人情報取扱責任者です。"))


def _refuse_oneself(holder: dict, by) -> None:
    if not isinstance(by, AbstractBaseUser):
        return
    if "user" in holder and by.pk == holder["user"].pk:
        raise PermissionDenied(_("自分自身に担当を割り当てることはできません。"))
    if "group" in holder and holder["group"].user_set.filter(pk=by.pk).exists():
        raise PermissionDenied(
            _(
                "自分が属するグループに担当を割り当てることはできません。別の個人情報取扱責任者が行います。"
            )
        )


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


def group_my_number_refusal(group, category) -> str | None:
    """Why `category` may not be granted to `group`, or None: a category flagged 個人番号を
    含む goes to designated persons one by one, never to a group, whose members change
    without a designation (番号法; 特定個人情報ガイドライン「事務取扱担当者の明確化」)."""
    if category is None or not category.includes_my_number:
        return None
    return _(
        "類型「%(category)s」は個人番号を含むため、グループ（%(group)s）には割り当てられません"
        "（番号法、特定個人情報ガイドライン「事務取扱担当者の明確化」）。"
        "個人番号事務取扱担当者に指定された職員に、一人ずつ割り当ててください。"
    ) % {"category": category.name, "group": group.name}


def grant_refusal(holder, category) -> str | None:
    """Why `category` may not be granted to `holder` (a user or a group), or None."""
    if isinstance(holder, Group):
        return group_my_number_refusal(holder, category)
    return my_number_refusal(holder, category)


def _refuse_my_number(holder: dict, category) -> None:
    if refusal := grant_refusal(next(iter(holder.values())), category):
        raise PermissionDenied(refusal)


def ask_scope_grant(*, user=None, group=None, category=None, desk=None, by):
    """Ask a second privacy officer to approve putting a category or a desk in the scope of
    `user` or of `group` (`safeguards.approvals`); `grant_scope` runs when one approves."""
    from .approvals import Kind, ask

    holder = _holder(user, group)
    obj = _scope_object(category, None, desk)
    _require_manager(by, obj, "add")
    _refuse_my_number(holder, category)
    field = "category" if category is not None else "desk"
    what = _("類型「%s」") % category.name if category is not None else _("窓口「%s」") % desk
    whom = user.get_username() if user is not None else _("グループ「%s」") % group.name
    return ask(
        kind=Kind.SCOPE_GRANT,
        change={"op": "grant_scope", **{k: v.pk for k, v in holder.items()}, field: obj.pk},
        description=_("%(whom)s に%(what)sの担当を割り当てる") % {"whom": whom, "what": what},
        subject=user,
        by=by,
    )


@transaction.atomic
def grant_scope(*, user=None, group=None, category=None, member=None, desk=None, by) -> Model:
    """Put a category, a member or a desk in the scope of `user` (or a category or a desk in
    that of `group`); return the grant (new or not).

    Nobody grants themself a scope, nor one to a group they belong to, nor a category
    flagged 個人番号を含む to someone not designated or to any group (`grant_refusal`,
    checked again when an approval carries it out); in the admin a grant runs only once a
    second privacy officer approved it (`ask_scope_grant`)."""
    holder = _holder(user, group)
    obj = _scope_object(category, member if user is not None else None, desk)
    _require_manager(by, obj, "add")
    _refuse_oneself(holder, by)
    _refuse_my_number(holder, category)
    grant, created = _table(obj, holder)._default_manager.get_or_create(
        **holder, permission=handle_permission(type(obj)), content_object=obj
    )
    if created:
        append(
            action=Action.SAFEGUARDS_SCOPE_GRANTED,
            actor=actor_for(by),
            target=obj,
            details={key: value.pk for key, value in holder.items()},
        )
    return grant


@transaction.atomic
def withdraw_scope(*, user=None, group=None, category=None, member=None, desk=None, by) -> bool:
    """Take a category, a member or a desk out of the scope of `user` (or of `group`); False
    if it was not in it."""
    holder = _holder(user, group)
    obj = _scope_object(category, member if user is not None else None, desk)
    _require_manager(by, obj, "delete")
    deleted = (
        _table(obj, holder)
        ._default_manager.filter(
            **holder, permission=handle_permission(type(obj)), content_object=obj
        )
        .delete()[0]
    )
    if deleted:
        append(
            action=Action.SAFEGUARDS_SCOPE_WITHDRAWN,
            actor=actor_for(by),
            target=obj,
            details={key: value.pk for key, value in holder.items()},
        )
    return bool(deleted)


def direct_category_ids(user) -> set[int]:
    """Ids of the categories granted to `user` themself (not through a group)."""
    return set(
        user.categoryuserobjectpermission_set.filter(
            permission__codename="handle_category"
        ).values_list("content_object_id", flat=True)
    )


@dataclass
class GroupScope:
    """A group's grants, and the staff who hold them through it."""

    group: Group
    categories: list[Category] = field(default_factory=list)
    desks: list[str] = field(default_factory=list)  # `Desk.Code`, in the choices' order

    @property
    def desk_names(self) -> list[str]:
        return [str(label) for code, label in Desk.Code.choices if code in self.desks]

    @property
    def members(self) -> list:
        """The active staff in the group: those who hold its scope (prefetched)."""
        return list(self.group.user_set.all())


def group_scopes(groups: QuerySet[Group] | None = None) -> list[GroupScope]:
    """Each group holding a category or a desk (or each of `groups`, with or without), with
    its grants and its members, in three queries whatever the number of groups."""
    categories = defaultdict(list)
    for grant in (
        CategoryGroupObjectPermission.objects.filter(permission__codename="handle_category")
        .select_related("content_object")
        .order_by("content_object__order", "content_object_id")
    ):
        categories[grant.group_id].append(grant.content_object)
    desks = defaultdict(list)
    for group_id, code in DeskGroupObjectPermission.objects.filter(
        permission__codename="handle_desk"
    ).values_list("group_id", "content_object__code"):
        desks[group_id].append(code)
    if groups is None:
        groups = Group.objects.filter(pk__in=set(categories) | set(desks))
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
    return [
        GroupScope(group, categories[group.pk], desks[group.pk])
        for group in groups.order_by("name").prefetch_related(Prefetch("user_set", queryset=staff))
    ]
