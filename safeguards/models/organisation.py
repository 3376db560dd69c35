"""Organisational safeguards (組織的安全管理措置): the privacy officer and deputies on the
emergency line, self-inspections against the four safeguard areas, 監事 audits, and the
corrective actions that both (and later complaints) produce.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import deadlines


class SafeguardArea(models.TextChoices):
    """The four areas of the notice's section 2."""

    ORGANISATIONAL = "organisational", _("組織的安全管理措置")
    HUMAN = "human", _("人的安全管理措置")
    PHYSICAL = "physical", _("物理的安全管理措置")
    TECHNICAL = "technical", _("技術的安全管理措置")


class OfficerAppointment(models.Model):
    """The privacy officer (個人情報取扱責任者) or a deputy, and how to reach them."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("個人情報取扱責任者")
        DEPUTY = "deputy", _("代理者")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="officer_appointments",
        verbose_name=_("職員"),
    )
    role = models.CharField(_("役割"), max_length=16, choices=Role.choices)
    escalation_order = models.PositiveSmallIntegerField(
        _("連絡順位"), default=1, help_text=_("緊急時に連絡する順番（1が最初）")
    )
    phone = models.CharField(_("電話番号"), max_length=32)
    after_hours_phone = models.CharField(_("時間外の電話番号"), max_length=32, blank=True)
    email = models.EmailField(_("メールアドレス"))
    appointed_on = models.DateField(_("任命日"))
    ended_on = models.DateField(_("退任日"), null=True, blank=True)

    class Meta:
        verbose_name = _("責任者・代理者（緊急連絡体制）")
        verbose_name_plural = _("責任者・代理者（緊急連絡体制）")
        ordering = ("ended_on", "escalation_order", "id")
        constraints = [
            # One privacy officer in office at a time.
            models.UniqueConstraint(
                fields=("role",),
                condition=models.Q(role="officer", ended_on__isnull=True),
                name="safeguards_one_privacy_officer_in_office",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("appointed_on")),
                name="safeguards_appointment_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.user}"


class CorrectiveAction(models.Model):
    """A corrective action (是正措置) with an owner and a due date.

    One model for every source: a self-inspection, a 監事 audit finding, and later
    complaints, which link to it from their side.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("対応中")
        DONE = "done", _("完了")
        CANCELLED = "cancelled", _("取消")

    description = models.TextField(_("是正措置の内容"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("担当者"),
    )
    due_on = models.DateField(_("期限"))
    status = models.CharField(_("状況"), max_length=16, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(_("完了日"), null=True, blank=True)
    inspection = models.ForeignKey(
        "Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("自己点検"),
    )
    audit_finding = models.ForeignKey(
        "AuditFinding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("監査の指摘事項"),
    )

    class Meta:
        verbose_name = _("是正措置")
        verbose_name_plural = _("是正措置")
        ordering = ("status", "due_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(inspection__isnull=False, audit_finding__isnull=False),
                name="safeguards_action_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(status="done", completed_on__isnull=False)
                | (~models.Q(status="done") & models.Q(completed_on__isnull=True)),
                name="safeguards_action_completed_on_iff_done",
            ),
        ]
        indexes = [
            # The overdue list: open actions by due date.
            models.Index(fields=("status", "due_on"), name="safeguards_action_due"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    def is_overdue(self, *, today) -> bool:
        return deadlines.is_overdue(self.due_on, today=today, done=self.status != self.Status.OPEN)


class ChecklistItem(models.Model):
    """One question of the self-inspection checklist, under one of the four areas."""

    area = models.CharField(_("区分"), max_length=16, choices=SafeguardArea.choices)
    text = models.CharField(_("点検項目"), max_length=300)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    active = models.BooleanField(_("使用中"), default=True)

    class Meta:
        verbose_name = _("自己点検項目")
        verbose_name_plural = _("自己点検項目")
        ordering = ("area", "order", "id")

    def __str__(self) -> str:
        return self.text


class Inspection(models.Model):
    """A self-inspection (自己点検): scheduled, conducted item by item, signed off."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("予定")
        IN_PROGRESS = "in_progress", _("実施中")
        SIGNED_OFF = "signed_off", _("責任者確認済")

    title = models.CharField(_("名称"), max_length=200)
    scheduled_on = models.DateField(_("実施予定日"))
    status = models.CharField(
        _("状況"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    findings = models.TextField(_("所見"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("確認した責任者"),
    )
    signed_off_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("自己点検")
        verbose_name_plural = _("自己点検")
        ordering = ("-scheduled_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="signed_off")
                | models.Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
                name="safeguards_inspection_signed_off_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionResult(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("未点検")
        COMPLIANT = "compliant", _("適合")
        NONCOMPLIANT = "noncompliant", _("不適合")
        NOT_APPLICABLE = "not_applicable", _("該当なし")

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("自己点検")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("点検項目")
    )
    result = models.CharField(
        _("結果"), max_length=16, choices=Result.choices, default=Result.PENDING
    )
    note = models.TextField(_("所見"), blank=True)

    class Meta:
        verbose_name = _("点検結果")
        verbose_name_plural = _("点検結果")
        ordering = ("item__area", "item__order", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("inspection", "item"), name="safeguards_result_once_per_item"
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)


class AuditPlan(models.Model):
    """A 監事 audit: the plan, then findings with the society's responses, then follow-up."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("計画")
        FIELDWORK = "fieldwork", _("監査実施中")
        REPORTED = "reported", _("監査報告済")
        CLOSED = "closed", _("フォローアップ完了")

    title = models.CharField(_("監査名"), max_length=200)
    auditor = models.CharField(_("監事"), max_length=100)
    scope = models.TextField(_("監査の範囲"))
    planned_on = models.DateField(_("実施予定日"))
    status = models.CharField(
        _("状況"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    reported_on = models.DateField(_("監査報告日"), null=True, blank=True)

    class Meta:
        verbose_name = _("監事監査")
        verbose_name_plural = _("監事監査")
        ordering = ("-planned_on", "-id")

    def __str__(self) -> str:
        return self.title


class AuditFinding(models.Model):
    audit = models.ForeignKey(
        AuditPlan, on_delete=models.CASCADE, related_name="findings", verbose_name=_("監事監査")
    )
    finding = models.TextField(_("指摘事項"))
    response = models.TextField(_("組合の回答"), blank=True)
    responded_on = models.DateField(_("回答日"), null=True, blank=True)

    class Meta:
        verbose_name = _("監査の指摘事項")
        verbose_name_plural = _("監査の指摘事項")
        ordering = ("audit", "id")

    def __str__(self) -> str:
        return self.finding[:40]
