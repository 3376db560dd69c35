"""The purpose register (個人情報の類型 and 利用目的) and the published revisions of the notice.

The rows here are the working draft that the privacy officer edits; what is in force is
what a `NoticeRevision` froze when it was published. Access decisions read the revision.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A kind of personal information (個人情報の類型), in the notice's order."""

    code = models.SlugField(_("コード"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    sensitive = models.BooleanField(
        _("要配慮個人情報"), default=False, help_text=_("APPI 第2条第3項の要配慮個人情報を含む")
    )
    includes_my_number = models.BooleanField(_("個人番号を含む"), default=False)

    class Meta:
        verbose_name = _("個人情報の類型")
        verbose_name_plural = _("個人情報の類型")
        ordering = ("order", "id")
        # Granted per category object (django-guardian): a handler's scope.
        permissions = [("handle_category", _("この類型の個人データを取り扱う"))]

    def __str__(self) -> str:
        return self.name


class Purpose(models.Model):
    """A purpose of use (利用目的); one purpose may serve several categories."""

    code = models.SlugField(_("コード"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("利用目的")
        verbose_name_plural = _("利用目的")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.name


class Permission(models.Model):
    """Category X may be used for purpose Y from one date, until another (inclusive)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="permissions", verbose_name=_("類型")
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="permissions", verbose_name=_("利用目的")
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)
    valid_from = models.DateField(_("適用開始日"))
    valid_until = models.DateField(_("適用終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("類型ごとの利用目的")
        verbose_name_plural = _("類型ごとの利用目的")
        ordering = ("category__order", "order", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("category", "purpose", "valid_from"), name="purposes_permission_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="purposes_permission_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} — {self.purpose}"
