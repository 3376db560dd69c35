"""Incidents (漏えい等事案): a suspected leak, loss or damage of personal data, its assessment
against APPI Art. 26 and Enforcement Rules Art. 7, the reports to the 個人情報保護委員会,
the notice to the persons affected, and a timeline of every step.

Staff report incidents; so does the complaints desk, for a complaint that reports a suspected
leak, and then no staff member need stand behind the report (`Incident.Source`).

State changes go through `core.workflow.transition` (the table is `safeguards.incidents`);
deadlines come from `core.deadlines`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Enforcement Rules Art. 7(iv): more than 1,000 persons makes any leak reportable.
PERSONS_THRESHOLD = 1000


class Incident(models.Model):
    class Kind(models.TextChoices):
        LEAK = "leak", _("漏えい")
        LOSS = "loss", _("滅失")
        DAMAGE = "damage", _("毀損")

    class Source(models.TextChoices):
        STAFF = "staff", _("職員からの報告")
        COMPLAINT = "complaint", _("苦情の申出")

    class State(models.TextChoices):
        REPORTED = "reported", _("報告受付")
        ASSESSING = "assessing", _("評価中")
        PRELIMINARY_REPORTED = "preliminary", _("委員会へ速報済")
        FINAL_REPORTED = "final", _("委員会へ確報済")
        CLOSED = "closed", _("終結")

    kind = models.CharField(_("事案の種類"), max_length=16, choices=Kind.choices)
    summary = models.TextField(_("概要"), help_text=_("いつ、何が起きたか（規則第8条第1項第1号）"))
    discovered_at = models.DateTimeField(_("発覚日時"))
    source = models.CharField(
        _("報告の経路"), max_length=16, choices=Source.choices, default=Source.STAFF
    )
    # Empty when the public reported it on the complaints form: no staff member did.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_incidents",
        verbose_name=_("報告者"),
    )
    reported_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=State.choices, default=State.REPORTED
    )

    # Assessment (APPI Art. 26(1), Enforcement Rules Art. 7).
    categories = models.ManyToManyField(
        "purposes.Category",
        blank=True,
        related_name="+",
        verbose_name=_("対象となった個人情報の類型"),
        help_text=_("要配慮個人情報を含む類型は登録簿の設定から判定します（規則第7条第1号）"),
    )
    financial_damage_risk = models.BooleanField(
        _("財産的被害のおそれ"),
        default=False,
        help_text=_("口座情報など、不正利用で財産的被害が生じるおそれ（規則第7条第2号）"),
    )
    unlawful_purpose_suspected = models.BooleanField(
        _("不正の目的のおそれ"),
        default=False,
        help_text=_("不正アクセス、職員による持ち出しなど（規則第7条第3号）"),
    )
    persons_affected = models.PositiveIntegerField(
        _("本人の数"), null=True, blank=True, help_text=_("規則第7条第4号、第8条第1項第3号")
    )
    # 番号法第29条の4 and the PPC's rules for 特定個人情報 (特定個人情報の漏えい等に関する報告等に
    # 関する規則第2条): the society's core systems hold the 個人番号 (Kumiai holds none), so a leak
    # may be of 特定個人情報; these are its own criteria, besides Art. 26's.
    my_number_involved = models.BooleanField(
        _("特定個人情報（個人番号を含む個人情報）の漏えい等"),
        default=False,
        help_text=_("個人番号そのもの、又は個人番号を含む書類・データが対象か（番号法第29条の4）"),
    )
    my_number_network_system = models.BooleanField(
        _("情報提供ネットワークシステム等で管理される特定個人情報"),
        default=False,
        help_text=_(
            "情報提供ネットワークシステム、又は個人番号利用事務を処理する情報システムで"
            "管理される特定個人情報か（番号法規則第2条第1号）"
        ),
    )
    my_number_persons = models.PositiveIntegerField(
        _("特定個人情報に係る本人の数"),
        null=True,
        blank=True,
        help_text=_("100人を超えると報告の対象（番号法規則第2条第4号）"),
    )
    strongly_encrypted = models.BooleanField(
        _("高度な暗号化等の措置あり"),
        default=False,
        help_text=_("高度な暗号化その他の保護措置が講じられていれば報告・通知は不要（規則第7条）"),
    )
    # Asked, never assumed: the categories stored encrypted (Category.encrypted_at_rest) are
    # exempt under Rules Art. 7 only while their keys were not leaked with them.
    key_store_affected = models.BooleanField(
        _("鍵保管庫への影響"),
        null=True,
        blank=True,
        choices=[
            (None, _("未確認")),
            (True, _("影響あり（データ鍵又は鍵暗号化鍵も漏えい等のおそれ）")),
            (False, _("影響なし（鍵保管庫と鍵暗号化鍵は無事と確認した）")),
        ],
        help_text=_(
            "暗号化して保管している類型（要配慮個人情報・口座情報）が対象のとき：鍵保管庫や"
            "鍵暗号化鍵も漏えい等したか。「影響なし」と確認できた場合に限り、それらの類型は"
            "高度な暗号化により報告対象から外れます（規則第7条）"
        ),
    )

    # The report's items (Enforcement Rules Art. 8(1)(ii)-(ix)); (i) is `summary`, (iii)
    # is `persons_affected`.
    data_items = models.TextField(_("個人データの項目"), blank=True)
    cause = models.TextField(_("原因"), blank=True)
    secondary_harm = models.TextField(_("二次被害又はそのおそれの有無及びその内容"), blank=True)
    response_to_persons = models.TextField(_("本人への対応の実施状況"), blank=True)
    publication = models.TextField(_("公表の実施状況"), blank=True)
    prevention = models.TextField(_("再発防止のための措置"), blank=True)
    other_matters = models.TextField(_("その他参考となる事項"), blank=True)

    preliminary_reported_at = models.DateTimeField(_("速報日時"), null=True, blank=True)
    final_reported_at = models.DateTimeField(_("確報日時"), null=True, blank=True)
    # APPI Art. 26(2): the persons are told, or, where that is hard, an alternative measure
    # (公表 and an enquiry desk) is taken.
    persons_notified_at = models.DateTimeField(_("本人通知日時"), null=True, blank=True)
    alternative_measure = models.TextField(
        _("本人通知に代わる措置"),
        blank=True,
        help_text=_("本人への通知が困難な場合（法第26条第2項ただし書）"),
    )

    class Meta:
        verbose_name = _("漏えい等事案")
        verbose_name_plural = _("漏えい等事案")
        ordering = ("state", "discovered_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="final") | models.Q(final_reported_at__isnull=False),
                name="safeguards_incident_final_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="preliminary")
                | models.Q(preliminary_reported_at__isnull=False),
                name="safeguards_incident_preliminary_has_date",
            ),
            # Only a complaint from the public comes without a staff member who reported it.
            models.CheckConstraint(
                condition=models.Q(source="complaint") | models.Q(reported_by__isnull=False),
                name="safeguards_incident_staff_report_has_reporter",
            ),
        ]
        indexes = [
            # The admin banner and the overdue list: incidents not yet closed.
            models.Index(fields=("state", "discovered_at"), name="safeguards_incident_open"),
        ]

    def __str__(self) -> str:
        return _("事案 #%(id)s") % {"id": self.pk}


class IncidentStep(models.Model):
    """One line of an incident's timeline: a report, an assessment, a state change, a notice."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("報告受付")
        ASSESSED = "assessed", _("評価を更新")
        TRANSITION = "transition", _("状態の変更")
        PERSONS_NOTIFIED = "persons_notified", _("本人へ通知")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="steps", verbose_name=_("事案")
    )
    at = models.DateTimeField(_("日時"))
    # Empty for the report of an incident that the public raised on the complaints form.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当者"),
    )
    kind = models.CharField(_("内容"), max_length=24, choices=Kind.choices)
    from_state = models.CharField(
        _("変更前"), max_length=16, choices=Incident.State.choices, blank=True
    )
    to_state = models.CharField(
        _("変更後"), max_length=16, choices=Incident.State.choices, blank=True
    )
    note = models.TextField(_("メモ"), blank=True)

    class Meta:
        verbose_name = _("事案の経過")
        verbose_name_plural = _("事案の経過")
        ordering = ("incident", "at", "id")
        constraints = [
            # Every step after the report is taken by a member of staff.
            models.CheckConstraint(
                condition=models.Q(kind="reported") | models.Q(by__isnull=False),
                name="safeguards_incidentstep_staff_after_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()}"
