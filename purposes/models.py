"""The purpose register (個人情報の類型 and 利用目的) and the published revisions of the notice.

The rows here are the working draft that the privacy officer edits; what is in force is
what a `NoticeRevision` froze when it was published. Access decisions read the revision.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Categories stored encrypted besides the 要配慮 ones: 加入者の口座情報, whose leak risks
# financial damage from one person up (Enforcement Rules Art. 7(ii)).
ENCRYPTED_CODES = frozenset({"bank-accounts"})


class Category(models.Model):
    """A kind of personal information (個人情報の類型), in the notice's order."""

    code = models.SlugField(_("コード"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    sensitive = models.BooleanField(
        _("要配慮個人情報"), default=False, help_text=_("APPI 第2条第3項の要配慮個人情報を含む")
    )
    includes_my_number = models.BooleanField(_("個人番号を含む"), default=False)

    class RetentionFrom(models.TextChoices):
        # The event a retention period runs from.
        RECORD = "record", _("記録日")
        FISCAL_YEAR = "fiscal_year", _("年度末（記録日の属する年度の翌年度から）")
        LOSS = "loss", _("資格喪失日")

    # A record of the category is kept this many years from the event `retention_from`
    # (APPI Art. 35 erasure refused until then; a disposal run erases it once past), by the law
    # named in `retention_basis`. Without a period the category has no retention schedule.
    retention_years = models.PositiveSmallIntegerField(_("保存年限（年）"), null=True, blank=True)
    retention_from = models.CharField(
        _("保存期間の起算"),
        max_length=16,
        choices=RetentionFrom.choices,
        default=RetentionFrom.RECORD,
    )
    retention_shorter_on_loss = models.BooleanField(
        _("資格喪失の翌年度末までで足りる"),
        default=False,
        help_text=_(
            "保存期間と、資格喪失日の属する年度の翌年度の末日までの期間のいずれか短い期間"
            "（特定健康診査及び特定保健指導の実施に関する基準第10条）"
        ),
    )
    retention_basis = models.CharField(_("保存の根拠"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("個人情報の類型")
        verbose_name_plural = _("個人情報の類型")
        ordering = ("order", "id")
        # Granted per category object (django-guardian): a handler's scope.
        permissions = [("handle_category", _("この類型の個人データを取り扱う"))]

    def __str__(self) -> str:
        return self.name

    @property
    def encrypted_at_rest(self) -> bool:
        """Whether its records' titles and contents are stored encrypted with the member's
        data key (`records.sealing`): every 要配慮 category, and the bank accounts."""
        return self.sensitive or self.code in ENCRYPTED_CODES

    @property
    def retention_period(self) -> str:
        """The period as the notice states it, in Japanese."""
        if self.retention_years is None:
            return str(_("定めなし（利用目的の達成に必要な間）"))
        period = _("%(event)sから%(years)d年") % {
            "event": {
                self.RetentionFrom.RECORD: _("記録日"),
                self.RetentionFrom.FISCAL_YEAR: _("記録日の属する年度の翌年度"),
                self.RetentionFrom.LOSS: _("資格喪失日"),
            }[self.RetentionFrom(self.retention_from)],
            "years": self.retention_years,
        }
        if self.retention_shorter_on_loss:
            period += _("、又は資格喪失日の属する年度の翌年度末までのいずれか短い期間")
        return str(period)

    def kept_until(
        self, day: datetime.date, *, lost_on: datetime.date | None = None
    ) -> datetime.date | None:
        """The last day a record of this category dated `day`, of a member who lost
        membership on `lost_on` (None: still a member), must be kept; None if the category
        has no retention period; `datetime.date.max` while a period running from the loss
        of membership has not started."""
        years = self.retention_years
        if years is None:
            return None
        if self.retention_from == self.RetentionFrom.FISCAL_YEAR:
            # 基準第10条: 「記録の作成の日の属する年度の翌年度から5年を経過するまで」
            until = fiscal_year_end(fiscal_year(day) + years)
        elif self.retention_from == self.RetentionFrom.LOSS:
            until = datetime.date.max if lost_on is None else _years_after(lost_on, years)
        else:
            until = _years_after(day, years)
        if self.retention_shorter_on_loss and lost_on is not None:
            # 「加入者が他の保険者の加入者となった日の属する年度の翌年度の末日までの期間」
            # のいずれか短い期間 (基準第10条).
            until = min(until, fiscal_year_end(fiscal_year(lost_on) + 1))
        return until

    def due_cutoffs(
        self, today: datetime.date
    ) -> tuple[datetime.date | None, datetime.date | None]:
        """The latest record date and the latest loss of membership whose retention has ended
        before `today` (either enough, for a record; None where neither can): the same rule as
        `kept_until`, as bounds a query can use."""
        years = self.retention_years
        if years is None:
            return None, None
        by_record = by_loss = None
        if self.retention_from == self.RetentionFrom.FISCAL_YEAR:
            by_record = fiscal_year_end(fiscal_year(today) - years - 1)
        elif self.retention_from == self.RetentionFrom.RECORD:
            by_record = _latest_past(today, years)
        else:
            by_loss = _latest_past(today, years)
        if self.retention_shorter_on_loss:
            shorter = fiscal_year_end(fiscal_year(today) - 2)
            by_loss = shorter if by_loss is None else max(by_loss, shorter)
        return by_record, by_loss


def fiscal_year(day: datetime.date) -> int:
    """The fiscal year (年度, April to March) `day` falls in, by the year it starts."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_end(year: int) -> datetime.date:
    """31 March that ends the fiscal year `year` (年度末)."""
    return datetime.date(year + 1, 3, 31)


def _years_after(day: datetime.date, years: int) -> datetime.date:
    """The day before the `years`th anniversary of `day` (29 February: 28 February)."""
    try:
        anniversary = day.replace(year=day.year + years)
    except ValueError:  # 29 February
        anniversary = day.replace(year=day.year + years, day=28)
    return anniversary - datetime.timedelta(days=1)


def _latest_past(today: datetime.date, years: int) -> datetime.date:
    """The latest day whose `_years_after` is before `today`."""
    day = today.replace(year=today.year - years, day=min(today.day, 28))
    while _years_after(day + datetime.timedelta(days=1), years) < today:
        day += datetime.timedelta(days=1)
    while _years_after(day, years) >= today:
        day -= datetime.timedelta(days=1)
    return day


class Purpose(models.Model):
    """A purpose of use (利用目的); one purpose may serve several categories."""

    class Consent(models.TextChoices):
        # What the gate asks of a member before reading their records for the purpose.
        NOT_NEEDED = "", _("不要（公表した利用目的の範囲内）")
        # A use outside the purposes (APPI Art. 18(1)), or a purpose added that is not
        # related to the old ones (Art. 17(2)): read only where the member has consented.
        EXPLICIT = "explicit", _("本人の同意が必要（法第18条第1項）")
        # The guidance's implied consent (e.g. 医療費通知 to the insured person covering the
        # household): read unless the member has asked to be left out.
        IMPLIED = "implied", _("黙示の同意（本人の申出により除外）")

    code = models.SlugField(_("コード"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200, unique=True)
    consent = models.CharField(
        _("本人の同意"),
        max_length=16,
        choices=Consent.choices,
        default=Consent.NOT_NEEDED,
        blank=True,
        help_text=_("公表した時から、閲覧の可否に反映されます。"),
    )

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
                fields=("category", "purpose", "valid_from"),
                name="purposes_permission_unique",
                violation_error_message=_("この類型には同じ日から同じ利用目的がすでにあります。"),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="purposes_permission_dates_ordered",
                violation_error_message=_("適用終了日は適用開始日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} — {self.purpose}"

    def overlaps(self, other: "Permission") -> bool:
        """Whether both permit the same purpose on at least one common day."""
        if self.purpose_id != other.purpose_id:
            return False
        ends_after_other_starts = self.valid_until is None or self.valid_until >= other.valid_from
        starts_before_other_ends = other.valid_until is None or self.valid_from <= other.valid_until
        return ends_after_other_starts and starts_before_other_ends

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("適用終了日は適用開始日以降の日付にしてください。")}
            )
        # Overlapping periods of one purpose are refused over the whole set of a category's
        # permissions (admin.PermissionFormSet), not row by row against the database.


DUPLICATE_PURPOSE_MESSAGE = _(
    "この類型には同じ利用目的が同じ期間にすでにあります。期間を分けるか、重複を削除してください。"
)


class Notice(models.Model):
    """The notice's text around the register: one row per install (the society's own).

    Like the register, this is the draft; the public page shows a `NoticeRevision`.
    """

    society_name = models.CharField(_("組合名"), max_length=200)
    title = models.CharField(_("表題"), max_length=200)
    purposes_heading = models.CharField(_("1. の見出し"), max_length=200)
    intro = models.TextField(_("利用目的の前文"))
    safeguards_heading = models.CharField(_("2. の見出し"), max_length=200)
    requests_heading = models.CharField(_("3. の見出し"), max_length=200)
    requests_text = models.TextField(_("開示等の請求に応じる手続"))
    requests_page = models.CharField(
        _("手続のページ"),
        max_length=300,
        help_text=_("手続を掲載しているページの URL（/requests/ など）。未定の間は案内文。"),
    )
    complaints_heading = models.CharField(_("4. の見出し"), max_length=200)
    desk_department = models.CharField(_("苦情の申出先（部署）"), max_length=100)
    desk_postal_code = models.CharField(_("郵便番号"), max_length=8)
    desk_address = models.CharField(_("所在地"), max_length=200)
    desk_phone = models.CharField(_("電話番号"), max_length=30)

    class Meta:
        verbose_name = _("公表事項")
        verbose_name_plural = _("公表事項")
        constraints = [
            # One society per install: the row is fetched as pk=1 everywhere.
            models.CheckConstraint(condition=models.Q(id=1), name="purposes_notice_singleton"),
        ]

    def __str__(self) -> str:
        return f"{self.society_name} {self.title}"


class Note(models.Model):
    """A ※ note printed under the register's table."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="notes", verbose_name=_("公表事項")
    )
    order = models.PositiveIntegerField(_("表示順"), default=0)
    text = models.TextField(_("本文"))

    class Meta:
        verbose_name = _("注記")
        verbose_name_plural = _("注記")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.text[:40]


class Exemption(models.Model):
    """A case in which purposes need not be notified or published (APPI Art. 21(4))."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("公表事項")
    )
    order = models.PositiveIntegerField(_("号"), default=0)
    text = models.TextField(_("本文"))

    class Meta:
        verbose_name = _("通知・公表を行わない場合")
        verbose_name_plural = _("通知・公表を行わない場合")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return f"({self.order}) {self.text[:40]}"


class Safeguard(models.Model):
    """One of the safeguard measures (安全管理措置) the notice promises."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="safeguards", verbose_name=_("公表事項")
    )
    code = models.SlugField(_("コード"), max_length=64)
    order = models.PositiveIntegerField(_("表示順"), default=0)
    name = models.CharField(_("名称"), max_length=100)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("安全管理措置")
        verbose_name_plural = _("安全管理措置")
        ordering = ("order", "id")
        constraints = [
            models.UniqueConstraint(fields=("notice", "code"), name="purposes_safeguard_code"),
        ]

    def __str__(self) -> str:
        return self.name


class NoticeRevision(models.Model):
    """A published notice, frozen: what `/privacy/` shows and what access decisions read.

    Never edited after it is made (`purposes.services.publish`); the snapshot holds the
    whole notice with the register's ids, codes and dates.
    """

    class Method(models.TextChoices):
        # APPI Art. 21(3): a changed purpose is notified to the person or published.
        WEBSITE = "website", _("ホームページ公表")
        INDIVIDUAL = "individual", _("本人通知")

    number = models.PositiveIntegerField(_("改訂番号"), unique=True)
    published_at = models.DateTimeField(_("公表日時"))
    effective_on = models.DateField(_("適用日"))
    method = models.CharField(_("公表の方法"), max_length=16, choices=Method.choices)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公表者"),
        help_text=_("空欄はシステム（初期データの読み込み）"),
    )
    snapshot = models.JSONField(_("公表内容"))
    digest = models.CharField(_("公表内容のハッシュ"), max_length=64)
    # What /privacy/ showed beside the revision on its first day, as rendered then
    # (`purposes.page.beside_html`): empty on the revisions published before it was kept.
    page = models.TextField(
        _("公表事項に添えて掲げた事項"),
        blank=True,
        help_text=_(
            "公表時の /privacy/ の名称・住所・代表者、委託先、共同利用、外的環境、手数料、保存期間"
        ),
    )

    class Meta:
        verbose_name = _("公表事項の改訂")
        verbose_name_plural = _("公表事項の改訂")
        ordering = ("-number",)
        permissions = [("publish_noticerevision", _("公表事項を公表する"))]
        indexes = [
            # The register's question on every gated request: the revision in force on a day.
            models.Index(fields=("effective_on", "number"), name="purposes_revision_in_force"),
        ]

    def __str__(self) -> str:
        return _("第%(number)d版") % {"number": self.number}


# The registers of processors and joint use, and the society's own fields (their module).
from .outsourcing import JointUse, Processor, ProcessorAudit, SocietyProfile  # noqa: E402, F401
