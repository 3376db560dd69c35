"""Who else handles the society's personal data, and what the notice says about the society.

- `Processor` (委託先, APPI Art. 25): a 健診機関, 保健指導機関, printer and mailer or system
  vendor entrusted with data; what data, which categories, the contract's dates, the
  safeguards checked, whether it may subcontract (再委託), the country where it handles the
  data, and `ProcessorAudit`, the society's audits of it. A provision to a processor is a
  委託 (Art. 27(5)(i)), never a third-party provision: `records.services.provisions` refuses
  to record one as such.
- `JointUse` (共同利用, Art. 27(5)(iii)): items, users, their purpose and the responsible
  party, published on `/privacy/` before the use begins (its `published_on` is stamped by
  `publish_joint_use`, never typed, and the use may not start before it).
- `SocietyProfile` (Art. 32(1)(i) as amended in 2022): the society's address and its
  representative, the 外的環境 where data is held abroad, and how a fee is paid.

These are live registers, shown on the notice page beside the published revision; the
notice's own words (the revision) are not touched. Nothing here is personal data.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.trail import actor_for, append
from audit.vocabulary import Action
from core.normalize import normalize_text

from .models import Category


class Processor(models.Model):
    """委託先 (APPI Art. 25): one entrusted party and what it may handle."""

    class Kind(models.TextChoices):
        HEALTH_CHECK = "health_check", _("健診機関")
        HEALTH_GUIDANCE = "health_guidance", _("保健指導機関")
        PRINTING = "printing", _("印刷・発送事業者")
        SYSTEM = "system", _("システム事業者")
        OTHER = "other", _("その他")

    class Subcontracting(models.TextChoices):
        FORBIDDEN = "forbidden", _("認めない")
        WITH_CONSENT = "with_consent", _("組合の事前の書面による承諾があれば認める")
        ALLOWED = "allowed", _("認める（再委託先にも同等の安全管理措置を求める）")

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    work = models.TextField(_("委託する業務"))
    data_items = models.TextField(_("取り扱わせる個人データの項目"))
    categories = models.ManyToManyField(
        Category, related_name="processors", verbose_name=_("委託する個人情報の類型")
    )
    contract_from = models.DateField(_("契約開始日"))
    contract_until = models.DateField(_("契約終了日"), null=True, blank=True)
    safeguards_checked_on = models.DateField(
        _("安全管理措置の確認日"),
        null=True,
        blank=True,
        help_text=_("委託先の選定時・契約更新時に、安全管理措置を確認した日（法第25条）"),
    )
    safeguards_checked = models.TextField(
        _("確認した安全管理措置"),
        blank=True,
        help_text=_("例：プライバシーマーク、ISMS、委託契約書の安全管理条項、従業者教育"),
    )
    subcontracting = models.CharField(_("再委託"), max_length=20, choices=Subcontracting.choices)
    subcontractors = models.TextField(_("再委託先"), blank=True)
    country = models.CharField(
        _("個人データを取り扱う外国"),
        max_length=100,
        blank=True,
        help_text=_("外国で取り扱う場合はその国名（空欄は国内のみ）"),
    )
    foreign_environment = models.TextField(
        _("外的環境の把握"),
        blank=True,
        help_text=_(
            "その外国の個人情報の保護に関する制度を把握した上で講じた措置（法第32条第1項第4号、"
            "施行令第10条第1号、ガイドライン（通則編）10-7）"
        ),
    )
    published = models.BooleanField(_("公表事項に掲載する"), default=True)

    class Meta:
        verbose_name = _("委託先")
        verbose_name_plural = _("委託先")
        ordering = ("kind", "name")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contract_until__isnull=True)
                | models.Q(contract_until__gte=models.F("contract_from")),
                name="purposes_processor_contract_dates_ordered",
                violation_error_message=_("契約終了日は契約開始日以降の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.subcontracting == self.Subcontracting.FORBIDDEN and self.subcontractors.strip():
            errors["subcontractors"] = _(
                "再委託を認めない委託先に再委託先は登録できません。再委託の扱いを見直してください。"
            )
        if self.country.strip() and not self.foreign_environment.strip():
            errors["foreign_environment"] = _(
                "外国で取り扱う委託先には、その国の制度を把握した上で講じた措置を記入してください"
                "（法第32条第1項第4号）。"
            )
        if self.contract_from and self.contract_until and self.contract_until < self.contract_from:
            errors["contract_until"] = _("契約終了日は契約開始日以降の日付にしてください。")
        if errors:
            raise ValidationError(errors)

    def under_contract(self, on: datetime.date) -> bool:
        return self.contract_from <= on and (
            self.contract_until is None or on <= self.contract_until
        )


class ProcessorAudit(models.Model):
    """One audit of a processor by the society (委託先の監督, APPI Art. 25)."""

    class Method(models.TextChoices):
        ON_SITE = "on_site", _("実地監査")
        DOCUMENTS = "documents", _("書面監査")
        REPORT = "report", _("報告書の受領と確認")

    processor = models.ForeignKey(
        Processor, on_delete=models.CASCADE, related_name="audits", verbose_name=_("委託先")
    )
    audited_on = models.DateField(_("監査日"))
    method = models.CharField(_("方法"), max_length=20, choices=Method.choices)
    findings = models.TextField(_("指摘事項"), blank=True, help_text=_("なければ空欄"))
    follow_up = models.TextField(_("改善の確認"), blank=True)
    next_due = models.DateField(_("次回予定日"), null=True, blank=True)

    class Meta:
        verbose_name = _("委託先の監査")
        verbose_name_plural = _("委託先の監査")
        ordering = ("-audited_on", "-id")

    def __str__(self) -> str:
        return f"{self.processor} {self.audited_on}"

    def clean(self) -> None:
        if self.audited_on and self.next_due and self.next_due <= self.audited_on:
            raise ValidationError({"next_due": _("次回予定日は監査日より後の日付にしてください。")})


class JointUse(models.Model):
    """共同利用 (APPI Art. 27(5)(iii)): published before the use begins."""

    title = models.CharField(
        _("名称"), max_length=200, unique=True, help_text=_("例：コラボヘルス")
    )
    items = models.TextField(_("共同して利用される個人データの項目"))
    users = models.TextField(_("共同して利用する者の範囲"))
    purpose = models.TextField(_("利用する者の利用目的"))
    responsible_name = models.CharField(_("責任を有する者の名称"), max_length=200)
    responsible_address = models.CharField(_("責任を有する者の住所"), max_length=300)
    responsible_representative = models.CharField(
        _("責任を有する者の代表者の氏名"), max_length=200, help_text=_("法人の場合")
    )
    categories = models.ManyToManyField(
        Category, related_name="joint_uses", verbose_name=_("対象となる個人情報の類型")
    )
    starts_on = models.DateField(_("利用開始日"))
    ends_on = models.DateField(_("利用終了日"), null=True, blank=True)
    # Stamped by `publish_joint_use` on the day it first appears on /privacy/.
    published_on = models.DateField(_("公表日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("共同利用")
        verbose_name_plural = _("共同利用")
        ordering = ("starts_on", "id")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("利用終了日は利用開始日以降の日付にしてください。")}
            )
        if self.published_on and self.starts_on and self.starts_on < self.published_on:
            raise ValidationError({"starts_on": BEFORE_PUBLICATION})

    def in_use(self, on: datetime.date) -> bool:
        """Whether the joint use may be relied on that day: published, and begun, not ended."""
        return (
            self.published_on is not None
            and self.starts_on <= on
            and (self.ends_on is None or on <= self.ends_on)
        )


BEFORE_PUBLICATION = _(
    "共同利用は、利用を始める前に公表しなければなりません（法第27条第5項第3号）。"
    "利用開始日は公表日以降の日付にしてください。"
)


class SocietyProfile(models.Model):
    """The society itself, as Art. 32(1)(i) asks the notice to name it: one row."""

    address = models.CharField(_("住所"), max_length=300)
    representative_title = models.CharField(_("代表者の役職"), max_length=100, default="理事長")
    representative_name = models.CharField(_("代表者の氏名"), max_length=100)
    foreign_environment = models.TextField(
        _("外国で保有する個人データの外的環境"),
        blank=True,
        help_text=_(
            "組合自身が外国にある設備で個人データを保有する場合：国名、その国の制度、講じた措置"
            "（委託先のものは委託先ごとに記入します）"
        ),
    )
    fee_payment = models.TextField(
        _("手数料の支払方法"),
        help_text=_("例：請求書に手数料分の郵便定額小為替を同封、又は窓口で現金（法第38条）"),
    )

    # One row: its key is always 1.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)

    class Meta:
        verbose_name = _("組合の基本情報")
        verbose_name_plural = _("組合の基本情報")

    def __str__(self) -> str:
        return str(_("組合の基本情報"))


# The fees of Art. 38 are the requests desk's own rows (`disclosure.KindPolicy`), in an app
# above this one: that app appends here how to read them (its AppConfig.ready), and the
# notice page asks. Each source answers (the kind of request, the fee in yen).
FEE_SOURCES: list[Callable[[], list[tuple[str, int]]]] = []


def fees() -> list[tuple[str, int]]:
    return [fee for source in FEE_SOURCES for fee in source()]


def processor_named(recipient: str) -> Processor | None:
    """The registered processor whose name is `recipient` as typed (normalised), if any."""
    return Processor.objects.filter(name=normalize_text(recipient)).first()


@transaction.atomic
def publish_joint_use(*, joint_use: JointUse, by, on: datetime.date | None = None) -> JointUse:
    """Put a joint use on `/privacy/` from today (Art. 27(5)(iii)): stamps its `published_on`,
    refused when its use would begin before that (it must be published first)."""
    on = on or timezone.localdate()
    locked = JointUse.objects.select_for_update().get(pk=joint_use.pk)
    if locked.published_on is not None:
        raise ValidationError(_("この共同利用はすでに公表されています。"))
    if locked.starts_on < on:
        raise ValidationError(BEFORE_PUBLICATION)
    locked.published_on = on
    locked.full_clean()
    locked.save(update_fields=["published_on"])
    append(
        action=Action.PURPOSES_JOINTUSE_PUBLISHED,
        actor=actor_for(by),
        target=locked,
        details={"day": on.isoformat()},  # the day it appeared on /privacy/
    )
    joint_use.published_on = on
    return locked
