"""Complaints about the handling of retained personal data (APPI Art. 40), from intake to answer.

What the complainant wrote lives here; what the trail records of it is ids and states only.
The state moves only through `core.workflow.transition` (the table is `complaints.workflow`);
nothing else writes `state`.
Member data is never read from here: a linked member is shown only through the gate.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.filing import PublicFiling, optional
from core.models import Created


class Complaint(PublicFiling, Created):
    STATUS_URL_NAME = "complaints:status"
    # What the complainant wrote of themselves: emptied after the linked member's 消去
    # (complaints.erasure), the digest kept instead.
    PERSONAL_FIELDS = {
        "name": "",
        "email": "",
        "phone": "",
        "address": "",
        "member_symbol": "",
        "member_number": "",
        "what_happened": "",
        "what_wanted": "",
    }
    DIGEST_PURPOSE = "kumiai.complaints.filing"
    # `address` was `postal_address` when the first digests were kept.
    DIGEST_NAMES = {"address": "postal_address"}

    class State(models.TextChoices):
        RECEIVED = "received", _("受付")
        ACKNOWLEDGED = "acknowledged", _("受付連絡済み")
        INVESTIGATING = "investigating", _("調査中")
        ESCALATED = "escalated", _("個人情報取扱責任者が対応中")
        RESPONDED = "responded", _("回答済み")
        CLOSED = "closed", _("完了")
        WITHDRAWN = "withdrawn", _("取下げ")

    OPEN_STATES = (
        State.RECEIVED,
        State.ACKNOWLEDGED,
        State.INVESTIGATING,
        State.ESCALATED,
        State.RESPONDED,
    )

    class Subject(models.TextChoices):
        HANDLING = "handling", _("個人情報の取扱い")
        REQUEST = "request", _("開示等の請求への対応")
        STAFF_CONDUCT = "staff_conduct", _("職員の対応")
        LEAK = "leak", _("漏えい等のおそれ")
        OTHER = "other", _("その他")

    class Cause(models.TextChoices):
        EXPLANATION = "explanation", _("説明の不足")
        CLERICAL = "clerical", _("事務処理の誤り")
        DELAY = "delay", _("対応の遅れ")
        CONDUCT = "conduct", _("職員の言動")
        SYSTEM = "system", _("システム")
        MISDELIVERY = "misdelivery", _("誤送付・誤交付")
        RULES = "rules", _("規程・手順の不備")
        UNFOUNDED = "unfounded", _("事実が確認できない")
        OTHER = "other", _("その他")

    state = models.CharField(
        _("状態"), max_length=16, choices=State.choices, default=State.RECEIVED, editable=False
    )

    anonymous = models.BooleanField(_("匿名"), default=False)
    # A complaint may be anonymous: the public filing's contact fields are optional here
    # (core.filing); the constraint below still wants a way to reply from a named one.
    name = optional("name")
    phone = optional("phone")
    address = optional("address")

    is_member = models.BooleanField(_("加入者本人・家族からの申出"), default=False)
    member_symbol = models.CharField(_("記号（申出のとおり）"), max_length=8, blank=True)
    member_number = models.CharField(_("番号（申出のとおり）"), max_length=10, blank=True)
    subject = models.CharField(_("申出の対象"), max_length=16, choices=Subject.choices)
    category = models.ForeignKey(
        "purposes.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("個人情報の類型"),
    )
    request_receipt_number = models.CharField(
        _("請求の受付番号（申出のとおり）"), max_length=32, blank=True
    )
    request = models.ForeignKey(
        "disclosure.Request",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("開示等の請求"),
    )
    what_happened = models.TextField(_("申出の内容"))
    what_wanted = models.TextField(_("求めること"), blank=True)

    incident = models.ForeignKey(
        "safeguards.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("漏えい等事案"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("担当者"),
    )
    # Computed by `core.deadlines` from `received_at` when the complaint is opened.
    first_response_due = models.DateField(_("初回連絡期限"), editable=False)
    answer_due = models.DateField(_("回答期限"), editable=False)
    acknowledged_at = models.DateTimeField(_("初回連絡日時"), null=True, editable=False)
    responded_at = models.DateTimeField(_("回答日時"), null=True, editable=False)
    closed_at = models.DateTimeField(_("完了日時"), null=True, editable=False)

    response = models.TextField(_("回答（申出人に送付した文面）"), blank=True)
    cause = models.CharField(_("原因の分類"), max_length=16, choices=Cause.choices, blank=True)
    root_cause = models.TextField(_("原因"), blank=True)
    corrective_action_taken = models.TextField(_("講じた是正措置"), blank=True)
    corrective_action = models.ForeignKey(
        "safeguards.CorrectiveAction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("是正措置（安全管理措置の登録）"),
    )

    class Meta:
        verbose_name = _("苦情")
        verbose_name_plural = _("苦情")
        ordering = ("-received_at", "-id")
        permissions = [
            # The complaints desk (苦情の申出先): records and handles complaints.
            ("handle_complaint", _("苦情に対応する")),
        ]
        constraints = [
            # At least one way to reply unless the complainant chose to stay anonymous, or
            # the member was erased and the complaint keeps only its digest.
            models.CheckConstraint(
                condition=models.Q(anonymous=True)
                | ~models.Q(identity_digest="")
                | (
                    ~models.Q(name="")
                    & (~models.Q(email="") | ~models.Q(phone="") | ~models.Q(address=""))
                ),
                name="complaints_complaint_reachable_unless_anonymous",
            ),
            models.CheckConstraint(
                condition=models.Q(answer_due__gte=models.F("first_response_due")),
                name="complaints_complaint_answer_after_first_response",
            ),
            models.CheckConstraint(
                condition=~models.Q(subject="leak") | models.Q(incident__isnull=False),
                name="complaints_complaint_leak_has_incident",
            ),
        ]
        indexes = [
            # The desk's changelist: open complaints, overdue first, by due date.
            models.Index(fields=("state", "first_response_due"), name="complaints_state_due"),
            # The monthly summary: complaints received in a month.
            models.Index(fields=("received_at",), name="complaints_received_at"),
        ]

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
