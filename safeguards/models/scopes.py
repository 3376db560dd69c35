"""Who handles which personal data: a handler's scope is a permission per category, and
who handles which desk's filings: a permission per desk.

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


class Desk(models.Model):
    """A desk where what people file is handled: requests (開示等請求窓口) or complaints
    (苦情相談窓口). Staff read its filings only with the desk in their scope, a permission
    `safeguards.handle_desk` on its row granted like a category (`safeguards.scopes`); the
    privacy officer holds both through the role (`safeguards.scopes.desk_codes_for`).
    """

    class Code(models.TextChoices):
        REQUESTS = "requests", _("開示等請求窓口")
        COMPLAINTS = "complaints", _("苦情相談窓口")

    code = models.CharField(_("窓口"), max_length=16, choices=Code.choices, unique=True)

    class Meta:
        verbose_name = _("窓口")
        verbose_name_plural = _("窓口")
        ordering = ("code",)
        default_permissions = ()
        permissions = [("handle_desk", _("この窓口に届いた申出を取り扱う"))]

    def __str__(self) -> str:
        return str(self.get_code_display())

    @classmethod
    def of(cls, code: str) -> "Desk":
        desk, _created = cls.objects.get_or_create(code=code)
        return desk


class DeskUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Desk, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("窓口の担当（職員）")
        verbose_name_plural = _("窓口の担当（職員）")


class DeskGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Desk, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("窓口の担当（グループ）")
        verbose_name_plural = _("窓口の担当（グループ）")
