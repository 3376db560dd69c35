"""Grant and withdraw a handler's scope, and read the category part of it.

A scope is a django-guardian object permission `<app>.handle_<model>` on a category
(`purposes.handle_category`) or, where a scope is that narrow, on one member
(`records.handle_member`), stored in the direct foreign-key tables guardian finds for the
object's model. This module takes the object generically so that it never imports
`records` (a higher layer). Every change writes its audit event in the same transaction.
"""

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _
from guardian.utils import get_user_obj_perms_model

from audit.trail import actor_for, append
from purposes.models import Category

from .models import CategoryGroupObjectPermission, CategoryUserObjectPermission


def handle_permission(model: type[Model]) -> Permission:
    """The permission that puts an object of `model` in a handler's scope."""
    return Permission.objects.get_by_natural_key(
        f"handle_{model._meta.model_name}", model._meta.app_label, model._meta.model_name
    )


def category_ids_for(user) -> set[int]:
    """Ids of the categories granted to `user`, directly or through one of their groups."""
    permission = handle_permission(Category)
    direct = CategoryUserObjectPermission.objects.filter(user=user, permission=permission)
    via_groups = CategoryGroupObjectPermission.objects.filter(
        group__user=user, permission=permission
    )
    return set(direct.values_list("content_object_id", flat=True)) | set(
        via_groups.values_list("content_object_id", flat=True)
    )


def _scope_object(category, member) -> Model:
    if (category is None) == (member is None):
        raise ValueError("give exactly one of category and member")
    return category if category is not None else member


def _require_manager(by, table: type[Model], change: str) -> None:
    if not by.has_perm(f"{table._meta.app_label}.{change}_{table._meta.model_name}"):
        raise PermissionDenied(_("担当の割当てを変更できるのは個人情報取扱責任者です。"))


@transaction.atomic
def grant_scope(*, user, category=None, member=None, by) -> Model:
    """Put a category or a member in `user`'s scope; return the grant (new or not)."""
    obj = _scope_object(category, member)
    table = get_user_obj_perms_model(obj)
    _require_manager(by, table, "add")
    grant, created = table.objects.get_or_create(
        user=user, permission=handle_permission(type(obj)), content_object=obj
    )
    if created:
        append(action="scope.granted", actor=actor_for(by), target=obj, details={"user": user.pk})
    return grant


@transaction.atomic
def withdraw_scope(*, user, category=None, member=None, by) -> bool:
    """Take a category or a member out of `user`'s scope; return False if it was not in it."""
    obj = _scope_object(category, member)
    table = get_user_obj_perms_model(obj)
    _require_manager(by, table, "delete")
    deleted = table.objects.filter(
        user=user, permission=handle_permission(type(obj)), content_object=obj
    ).delete()[0]
    if deleted:
        append(action="scope.withdrawn", actor=actor_for(by), target=obj, details={"user": user.pk})
    return bool(deleted)
