"""Members (the data subjects) and what the society holds about them, by category.

Nothing outside the gate (`records.gate`) may query these tables for a user: every read of
member or record data for a person passes through it, scoped, for a purpose, and audited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Member(models.Model):
    """An insured person (被保険者) or a dependent (被扶養者)."""

    class Sex(models.TextChoices):
        MALE = "1", _("男")
        FEMALE = "2", _("女")

    class Relationship(models.TextChoices):
        SELF = "self", _("本人")
        SPOUSE = "spouse", _("配偶者")
        CHILD = "child", _("子")
        PARENT = "parent", _("父母")
        OTHER = "other", _("その他")

    symbol = models.CharField(_("記号"), max_length=8)
    number = models.CharField(_("番号"), max_length=10)
    branch = models.CharField(_("枝番"), max_length=2)
    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("フリガナ"), max_length=100)
    birth_date = models.DateField(_("生年月日"))
    sex = models.CharField(_("性別"), max_length=1, choices=Sex.choices)
    relationship = models.CharField(
        _("続柄"), max_length=8, choices=Relationship.choices, default=Relationship.SELF
    )
    insured = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("被保険者"),
        help_text=_("被扶養者のときのみ"),
    )
    employer = models.CharField(_("事業所"), max_length=200, blank=True)
    acquired_on = models.DateField(_("資格取得日"))
    lost_on = models.DateField(_("資格喪失日"), null=True, blank=True)
    source_id = models.CharField(_("連携元ID"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("加入者")
        verbose_name_plural = _("加入者")
        ordering = ("symbol", "number", "branch")
        # Granted per member (MemberUserObjectPermission): a scope narrower than a category.
        permissions = [("handle_member", _("この加入者の個人データを取り扱う"))]
        constraints = [
            models.UniqueConstraint(
                fields=("symbol", "number", "branch"), name="records_member_unique_insurance_id"
            ),
            # A dependent names the insured person; the insured person names nobody.
            models.CheckConstraint(
                condition=models.Q(relationship="self", insured__isnull=True)
                | (~models.Q(relationship="self") & models.Q(insured__isnull=False)),
                name="records_member_dependent_has_insured",
            ),
            models.CheckConstraint(
                condition=models.Q(lost_on__isnull=True)
                | models.Q(lost_on__gte=models.F("acquired_on")),
                name="records_member_lost_after_acquired",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol}-{self.number}-{self.branch}"


class Record(models.Model):
    """One item of personal data about a member, in one category of the register."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="records", verbose_name=_("加入者")
    )
    category = models.ForeignKey(
        "purposes.Category",
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("類型"),
    )
    date = models.DateField(_("日付"))
    title = models.CharField(_("件名"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict)
    source_id = models.CharField(_("連携元ID"), max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("記録")
        verbose_name_plural = _("記録")
        ordering = ("-date", "-id")
        indexes = [
            # The gate's scoped changelist: category IN (...) ordered by date.
            models.Index(fields=("category", "-date", "-id"), name="records_record_cat_date"),
            # One member's records (member pages, disclosure packages).
            models.Index(fields=("member", "category", "date"), name="records_record_member"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.pk}"


class Restriction(models.Model):
    """What a member has obtained against the use of their data (APPI Art. 35).

    An empty category or purpose means every category or every purpose.
    """

    class Kind(models.TextChoices):
        SUSPEND_USE = "suspend_use", _("利用停止")
        STOP_THIRD_PARTY = "stop_third_party", _("第三者提供の停止")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="restrictions", verbose_name=_("加入者")
    )
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        "purposes.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("類型"),
    )
    purpose = models.ForeignKey(
        "purposes.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("利用目的"),
    )
    since = models.DateField(_("開始日"))
    until = models.DateField(_("終了日"), null=True, blank=True)
    reference = models.CharField(_("根拠（請求の受付番号など）"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録者"),
    )

    class Meta:
        verbose_name = _("利用停止等")
        verbose_name_plural = _("利用停止等")
        ordering = ("-since", "-id")
        indexes = [
            # The gate's anti-join: restrictions in force for the members on a page.
            models.Index(fields=("member", "kind"), name="records_restriction_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.member_id})"


class ThirdPartyProvision(models.Model):
    """第三者提供記録 (APPI Art. 29): what went to whom, when, and on what legal basis."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="provisions", verbose_name=_("加入者")
    )
    category = models.ForeignKey(
        "purposes.Category", on_delete=models.PROTECT, verbose_name=_("類型")
    )
    recipient = models.CharField(_("提供先"), max_length=200)
    provided_on = models.DateField(_("提供日"))
    items = models.JSONField(_("提供した項目"), default=list)
    legal_basis = models.CharField(_("根拠"), max_length=200)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録者"),
    )

    class Meta:
        verbose_name = _("第三者提供記録")
        verbose_name_plural = _("第三者提供記録")
        ordering = ("-provided_on", "-id")

    def __str__(self) -> str:
        return f"{self.recipient} {self.provided_on}"


# Member-level scopes, as django-guardian's direct foreign-key permission models: the gate
# checks them with an indexed EXISTS, where guardian's generic table would need a cast join.
class MemberUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Member, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("加入者単位の担当（職員）")
        verbose_name_plural = _("加入者単位の担当（職員）")


class MemberGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Member, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("加入者単位の担当（グループ）")
        verbose_name_plural = _("加入者単位の担当（グループ）")
