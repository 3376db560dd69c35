"""Disposal runs (廃棄の実施, APPI Art. 22): what fell due under the retention schedule
(`purposes.Category.kept_until`), what a pending matter holds, and what was erased.

A run holds counts, category codes and ids, never a personal value: its certificate (廃棄記録)
is read by the 監事 and kept after the records it counts are gone.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DisposalRun(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("作成済み")
        APPROVED = "approved", _("承認済み")
        CARRIED_OUT = "carried_out", _("実施済み")
        CANCELLED = "cancelled", _("取りやめ")

    state = models.CharField(_("状態"), max_length=16, choices=State.choices, default=State.CREATED)
    # The day the schedule was read for: a record is due if its period ended before it.
    as_of = models.DateField(_("基準日"))
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # Erases 要配慮個人情報 or a member whole: carrying it out waits for a second privacy
    # officer's approval (safeguards.approvals).
    four_eyes = models.BooleanField(_("二者確認が必要"), default=False)
    members_due = models.PositiveIntegerField(
        _("消去する加入者（資格喪失後の保存期間経過）"), default=0
    )
    members_erased = models.PositiveIntegerField(_("消去した加入者"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承認者"),
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    second_approval = models.ForeignKey(
        "safeguards.Approval",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("二者確認の承認"),
    )
    carried_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("実施者"),
    )
    carried_out_at = models.DateTimeField(_("実施日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("廃棄の実施")
        verbose_name_plural = _("廃棄の実施")
        ordering = ("-created_at", "-id")
        constraints = [
            # One run open at a time: the daily job opens none while one waits.
            models.UniqueConstraint(
                fields=("state",),
                condition=models.Q(state__in=("created", "approved")),
                name="retention_disposalrun_one_open",
            ),
        ]

    def __str__(self) -> str:
        return _("廃棄の実施 第%(number)d号") % {"number": self.pk or 0}

    @property
    def reference(self) -> str:
        """What the erasures of this run name as their reference (the trail, the ledger)."""
        return f"DISPOSAL-{self.pk}"


class DisposalLine(models.Model):
    """One category of a run: how many records were due, held, and erased."""

    run = models.ForeignKey(
        DisposalRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("廃棄の実施")
    )
    category = models.ForeignKey(
        "purposes.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("類型")
    )
    due = models.PositiveIntegerField(_("保存期間を経過した記録"), default=0)
    held = models.PositiveIntegerField(_("保留した記録"), default=0)
    erased = models.PositiveIntegerField(_("消去した記録"), default=0)

    class Meta:
        verbose_name = _("廃棄する類型")
        verbose_name_plural = _("廃棄する類型")
        ordering = ("category__order", "id")
        constraints = [
            models.UniqueConstraint(fields=("run", "category"), name="retention_line_unique")
        ]

    def __str__(self) -> str:
        return str(self.category)


class DisposalHold(models.Model):
    """Records kept past their period because a pending matter still needs them (a legal hold):
    the matter by its id, the member by id, never a value."""

    class Reason(models.TextChoices):
        REQUEST = "request", _("処理中の開示等の請求")
        COMPLAINT = "complaint", _("対応中の苦情")
        INCIDENT = "incident", _("対応中の漏えい等事案")
        PROVISION = "provision", _("第三者提供記録の保存期間中")
        DEPENDENTS = "dependents", _("被扶養者の登録あり")

    run = models.ForeignKey(
        DisposalRun, on_delete=models.CASCADE, related_name="holds", verbose_name=_("廃棄の実施")
    )
    reason = models.CharField(_("保留の理由"), max_length=16, choices=Reason.choices)
    # The request, complaint or incident (its id), where the reason is one.
    matter_id = models.PositiveBigIntegerField(_("案件ID"), null=True, blank=True)
    member_id = models.PositiveBigIntegerField(_("加入者ID"), null=True, blank=True)
    category = models.ForeignKey(
        "purposes.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("類型"),
    )
    records = models.PositiveIntegerField(_("記録の件数"), default=0)

    class Meta:
        verbose_name = _("保留")
        verbose_name_plural = _("保留")
        ordering = ("reason", "matter_id", "member_id", "id")

    def __str__(self) -> str:
        return self.get_reason_display()
