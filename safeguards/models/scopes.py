"""Who handles which personal data: a handler's scope is a permission per category.

Direct foreign-key permission models for django-guardian, so that the gate filters records
with `category_id IN (...)` from a small indexed table, never a generic object_pk scan.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class CategoryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("purposes.Category", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("類型の担当（職員）")
        verbose_name_plural = _("類型の担当（職員）")


class CategoryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("purposes.Category", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("類型の担当（グループ）")
        verbose_name_plural = _("類型の担当（グループ）")
