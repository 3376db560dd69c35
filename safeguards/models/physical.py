"""Physical safeguards (物理的安全管理措置): who entered the rooms where personal data is
handled, and which devices and media left the office (持ち出し) and came back.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecureArea(models.Model):
    """A room where personal data is handled (個人データを取り扱う区域)."""

    name = models.CharField(_("区域名"), max_length=100, unique=True)
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        verbose_name = _("管理区域")
        verbose_name_plural = _("管理区域")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class AreaEntry(models.Model):
    area = models.ForeignKey(
        SecureArea, on_delete=models.PROTECT, related_name="entries", verbose_name=_("区域")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="area_entries",
        verbose_name=_("入室者"),
    )
    entered_at = models.DateTimeField(_("入室日時"))
    left_at = models.DateTimeField(_("退室日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("入退室記録")
        verbose_name_plural = _("入退室記録")
        ordering = ("-entered_at", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_at__isnull=True)
                | models.Q(left_at__gte=models.F("entered_at")),
                name="safeguards_entry_times_ordered",
            ),
        ]
        indexes = [
            # "Who is in the room now": entries of an area not yet left.
            models.Index(fields=("area", "left_at"), name="safeguards_entry_present"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.user}"


class DeviceCheckout(models.Model):
    """A device or medium taken out of the office, and its return."""

    class Kind(models.TextChoices):
        LAPTOP = "laptop", _("ノートPC")
        MEDIUM = "medium", _("電子媒体（USBメモリ等）")
        PAPER = "paper", _("書類")
        OTHER = "other", _("その他")

    device = models.CharField(_("機器・媒体"), max_length=100, help_text=_("管理番号など"))
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="device_checkouts",
        verbose_name=_("持ち出した職員"),
    )
    purpose = models.CharField(_("持ち出しの目的"), max_length=200)
    # The notice promises that carried data is not easily readable: encryption, a lock, a
    # sealed envelope.
    protection = models.CharField(
        _("判明防止の措置"), max_length=200, help_text=_("暗号化、パスワード保護、封緘など")
    )
    taken_out_at = models.DateTimeField(_("持ち出し日時"))
    expected_back_on = models.DateField(_("返却予定日"))
    returned_at = models.DateTimeField(_("返却日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("機器・媒体の持ち出し")
        verbose_name_plural = _("機器・媒体の持ち出し")
        # Still out first, the most overdue on top.
        ordering = (models.F("returned_at").desc(nulls_first=True), "expected_back_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True)
                | models.Q(returned_at__gte=models.F("taken_out_at")),
                name="safeguards_checkout_times_ordered",
            ),
        ]
        indexes = [
            # "What is still out": checkouts not returned, by expected date.
            models.Index(fields=("returned_at", "expected_back_on"), name="safeguards_still_out"),
        ]

    def __str__(self) -> str:
        return self.device
