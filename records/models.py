"""Members (the data subjects) and what the society holds about them, by category.

Nothing outside the gate (`records.gate`) may query these tables for a user: every read of
member or record data for a person passes through it, scoped, for a purpose, and audited.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.fields import valid_postal_code
from core.models import Created
from core.normalize import fold_name

from .payload_schemas import clean_payload


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
    # The registered address: where a package of 要配慮個人情報 goes by 本人限定受取郵便
    # (disclosure), whatever address a request gives. Gone with the member row on 消去.
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[valid_postal_code]
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    acquired_on = models.DateField(_("資格取得日"))
    lost_on = models.DateField(_("資格喪失日"), null=True, blank=True)
    # Recorded by the society's staff (the member's page), not by the core systems' import:
    # a deceased member's data is no longer theirs to ask for under APPI, which protects the
    # living; the bereaved may ask for their receipts (disclosure, the MHLW notice).
    died_on = models.DateField(_("死亡日"), null=True, blank=True)
    source_id = models.CharField(_("連携元ID"), max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("加入者")
        verbose_name_plural = _("加入者")
        ordering = ("symbol", "number", "branch")
        # Granted per member (MemberUserObjectPermission): a scope narrower than a category.
        permissions = [("handle_member", _("この加入者の個人データを取り扱う"))]
        constraints = [
            # full_clean checks this (the admin's member form, records.services) by an EXISTS
            # over every member, outside the gate. That is acceptable because the answer is
            # one bit about the number the user typed, that it is taken, and the message
            # says only that: not whose it is, nor anything of their records or categories.
            # It cannot be scoped: a number held outside the user's scope is taken all the
            # same, and the database would refuse the save anyway.
            models.UniqueConstraint(
                fields=("symbol", "number", "branch"),
                name="records_member_unique_insurance_id",
                violation_error_code="insurance_id_taken",
                violation_error_message=_(
                    "この記号・番号・枝番は既に使われています。番号を確かめてください。"
                ),
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
            models.CheckConstraint(
                condition=models.Q(died_on__isnull=True)
                | models.Q(died_on__gte=models.F("birth_date")),
                name="records_member_died_after_born",
            ),
        ]
        indexes = [
            # The member list's numeric order of 記号-番号-枝番 (records.search.natural_order),
            # walked in order for a page of a large scope instead of sorting every member.
            models.Index(
                Length("symbol"),
                "symbol",
                Length("number"),
                "number",
                "branch",
                name="records_member_natural",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.symbol}-{self.number}-{self.branch}"

    def clean(self) -> None:
        # The constraints below say the same to the database; these say it to a person,
        # field by field, without a query (the import cleans 100,000 rows this way).
        errors = {}
        if self.relationship == self.Relationship.SELF and self.insured is not None:
            errors["insured"] = _("本人（被保険者）には被保険者を指定しません。")
        if self.relationship != self.Relationship.SELF:
            if self.insured is None:
                errors["insured"] = _("被扶養者には被保険者を指定してください。")
            elif self.insured.relationship != self.Relationship.SELF:
                errors["insured"] = _("被保険者には本人（続柄「本人」）を指定してください。")
        if self.lost_on and self.acquired_on and self.lost_on < self.acquired_on:
            errors["lost_on"] = _("資格喪失日は資格取得日より後の日にしてください。")
        if self.died_on and self.birth_date and self.died_on < self.birth_date:
            errors["died_on"] = _("死亡日は生年月日より後の日にしてください。")
        elif self.died_on and self.died_on > timezone.localdate():
            errors["died_on"] = _("死亡日に今日より後の日は入力できません。")
        if errors:
            raise ValidationError(errors)


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
    # A record of a category stored encrypted (`Category.encrypted_at_rest`) keeps its title
    # and payload here, sealed with the member's data key (`records.sealing`); the two
    # columns above then hold "" and {}. Read, the instance has them back (see `from_db`).
    sealed = models.BinaryField(_("暗号化した件名と内容"), null=True, blank=True, editable=False)
    source_id = models.CharField(_("連携元ID"), max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    # Why the sealed title and payload could not be read (no key, no key store), in Japanese;
    # empty for a readable record. Such a record shows that in its title and is not saved.
    unreadable = ""

    class Meta:
        verbose_name = _("記録")
        verbose_name_plural = _("記録")
        ordering = ("-date", "-id")
        # The core systems' account: CSV import of members and records (records.importing).
        permissions = [("import_data", _("加入者と記録をCSVで取り込む"))]
        indexes = [
            # The gate's scoped changelist: category IN (...) ordered by date.
            models.Index(fields=("category", "-date", "-id"), name="records_record_cat_date"),
            # One member's records (member pages, disclosure packages); the gate's member
            # grants (member_id = ANY(...) AND category_id IN (...)), and its count of the
            # rows a restriction withholds, which probes it with the restricted members only.
            # An index on (category, member) would serve that count no better: it is a
            # probe per restricted member either way (GatedQuerySet.count).
            models.Index(fields=("member", "category", "date"), name="records_record_member"),
            # A scope of whole categories OR granted members (`records.gate.querysets._scope`)
            # ordered by date: no index on (category, ...) yields that order under the OR, so
            # PostgreSQL read and sorted every row of the category (65,000 of 現金給付 in the
            # bench, 450 ms a page); walking this one backwards stops after one page.
            models.Index(fields=("-date", "-id"), name="records_record_date"),
        ]

    def __str__(self) -> str:
        # Shown in the admin's history and recent actions: what the record is, by its
        # category, and which one; nothing about the member.
        return f"{self.category.name}の記録（{self.pk}）"

    def save(self, *args, **kwargs):
        """Saved with its title and payload sealed where its category is stored encrypted;
        the instance keeps them readable. Refused for a record that could not be read."""
        if self.unreadable:
            raise ValidationError(self.unreadable)
        if "title" not in self.__dict__:  # not read since fetched: its sealed bytes stand
            return super().save(*args, **kwargs)
        from .sealing import seal_records

        title, payload = self.title, self.payload
        seal_records([self])  # `sealed` set, the two columns emptied where it seals
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "payload"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sealed"}
        try:
            return super().save(*args, **kwargs)
        finally:
            self.title, self.payload = title, payload

    def clean(self) -> None:
        # The payload is normalised and checked against its category's schema; without a
        # category, clean_fields has already said what is missing.
        if self.unreadable:
            raise ValidationError(self.unreadable)
        if self.category_id is not None:
            self.payload = clean_payload(self.category.code, self.payload)

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        if record.__dict__.get("sealed") is not None:
            # The columns hold nothing: the title and payload are opened from `sealed` when
            # first read (`refresh_from_db`), or for a whole page at once by the gate.
            record.__dict__.pop("title", None)
            record.__dict__.pop("payload", None)
        return record

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        if (
            fields is not None
            and set(fields) <= {"title", "payload"}
            and self.__dict__.get("sealed") is not None
        ):
            from .sealing import open_records

            open_records([self])
            return
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if self.__dict__.get("sealed") is not None and (
            fields is None or {"title", "payload", "sealed"} & set(fields)
        ):
            # Django skips the two fields the fresh row had unopened: opened again when read.
            self.__dict__.pop("title", None)
            self.__dict__.pop("payload", None)
            self.__dict__.pop("unreadable", None)


class Restriction(Created):
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

    class Meta:
        verbose_name = _("利用停止等")
        verbose_name_plural = _("利用停止等")
        ordering = ("-since", "-id")
        constraints = [
            # 第三者提供の停止 stops provision to third parties whatever the purpose.
            models.CheckConstraint(
                condition=~models.Q(kind="stop_third_party", purpose__isnull=False),
                name="records_restriction_stop_third_party_has_no_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="records_restriction_until_after_since",
            ),
        ]
        indexes = [
            # The gate's anti-join: restrictions in force for the members on a page.
            models.Index(fields=("member", "kind"), name="records_restriction_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.member_id})"

    def clean(self) -> None:
        if self.kind == self.Kind.STOP_THIRD_PARTY and self.purpose_id is not None:
            raise ValidationError(
                {
                    "purpose": _(
                        "第三者提供の停止には利用目的を指定しません（全ての提供が対象です）。"
                    )
                }
            )
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("終了日は開始日以後の日にしてください。")})


class Consent(Created):
    """A member's consent (本人の同意) or their opt-out from an implied consent.

    A consent with a purpose covers a use outside the published purposes (APPI Art. 18(1));
    one without covers provision to third parties (Art. 27(1)). An opt-out (不同意の申出)
    takes the member out of a purpose the register marks as implied consent (the guidance's
    医療費通知 sent to the insured person covering the household). In force from `given_on`
    until the day before `withdrawn_on`.
    """

    class Kind(models.TextChoices):
        CONSENT = "consent", _("同意")
        OPT_OUT = "opt_out", _("不同意の申出（黙示の同意からの除外）")

    class Method(models.TextChoices):
        WRITING = "writing", _("書面")
        ELECTRONIC = "electronic", _("電磁的方法")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="consents", verbose_name=_("加入者")
    )
    kind = models.CharField(_("種別"), max_length=16, choices=Kind.choices)
    purpose = models.ForeignKey(
        "purposes.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("利用目的"),
        help_text=_("空欄は第三者提供（法第27条第1項）への同意です。"),
    )
    # APPI Art. 27(1): the person consents to a provision knowing to whom. A consent to
    # provision names its recipient, and the provision register records a provision on
    # consent only to a recipient a consent in force names. Empty for the other kinds, and
    # on the consents to provision recorded before the field (they name no recipient, so
    # they cover none).
    recipient = models.CharField(
        _("提供先"),
        max_length=200,
        blank=True,
        help_text=_(
            "第三者提供への同意のとき、同意書に記された提供先（例：株式会社〇〇研究所）。"
            "利用目的への同意と不同意の申出では空欄です。"
        ),
    )
    method = models.CharField(_("方法"), max_length=16, choices=Method.choices)
    given_on = models.DateField(_("同意日・申出日"))
    withdrawn_on = models.DateField(_("撤回日"), null=True, blank=True)
    reference = models.CharField(_("根拠（書面の番号など）"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("本人の同意")
        verbose_name_plural = _("本人の同意")
        ordering = ("-given_on", "-id")
        permissions = [("withdraw_consent", _("本人の同意の撤回を登録する"))]
        constraints = [
            # An opt-out leaves one purpose; there is no implied consent to provision.
            models.CheckConstraint(
                condition=~models.Q(kind="opt_out", purpose__isnull=True),
                name="records_consent_opt_out_has_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="records_consent_withdrawn_after_given",
            ),
            # Only a consent to provision names a recipient.
            models.CheckConstraint(
                condition=models.Q(recipient="") | models.Q(purpose__isnull=True, kind="consent"),
                name="records_consent_recipient_only_for_provision",
            ),
        ]
        indexes = [
            # The gate's probe: the consents of the members on a page.
            models.Index(fields=("member", "kind"), name="records_consent_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.covers}）"

    @property
    def covers(self) -> str:
        """What it covers, in Japanese."""
        if self.purpose_id is None:
            if self.recipient:
                return str(_("第三者提供（法第27条第1項）：%(to)s")) % {"to": self.recipient}
            return str(_("第三者提供（法第27条第1項）：提供先の登録なし"))
        return str(self.purpose)

    def names(self, recipient: str) -> bool:
        """Whether this consent to provision names `recipient`, as typed: compared without
        spaces, full-width and half-width alike (`fold_name`)."""
        return bool(self.recipient) and fold_name(self.recipient) == fold_name(recipient)

    def clean(self) -> None:
        if self.kind == self.Kind.OPT_OUT and self.purpose_id is None:
            raise ValidationError(
                {"purpose": _("不同意の申出には、除外する利用目的を選んでください。")}
            )
        provision = self.kind == self.Kind.CONSENT and self.purpose_id is None
        if self.recipient and not provision:
            raise ValidationError(
                {"recipient": _("提供先は、第三者提供への同意（利用目的が空欄）にだけ入力します。")}
            )
        if provision and not self.recipient.strip() and self._state.adding:
            raise ValidationError(
                {
                    "recipient": _(
                        "第三者提供への同意には、同意を得た提供先を入力してください（本人は提供先を"
                        "知って同意します：法第27条第1項）。"
                    )
                }
            )
        if self.withdrawn_on and self.given_on and self.withdrawn_on < self.given_on:
            raise ValidationError({"withdrawn_on": _("撤回日は同意日以後の日にしてください。")})


class ProtectionQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None) -> "ProtectionQuerySet":
        """The protections in force on day `on` (today)."""
        on = on or timezone.localdate()
        return self.filter(models.Q(until__isnull=True) | models.Q(until__gte=on), since__lte=on)

    def member_ids(self, among: Iterable[int], on: datetime.date | None = None) -> set[int]:
        """Those of the members `among` who are protected on day `on` (today): ids only, which
        the gate's ledger and the mail check read without reading the member."""
        ids = list(among)
        if not ids:
            return set()
        return set(self.in_force(on).filter(member_id__in=ids).values_list("member_id", flat=True))


class Protection(Created):
    """A member whom the society protects from a named person (DV, stalking, child abuse).

    The MHLW guidance for health insurance societies and the 支援措置 practice under the DV
    防止法: nothing of the member reaches the person named, even as the insured person of
    the same card or a legal agent. Set and lifted by the privacy officer
    (`records.services.protection_set`); `persons` is personal data: never in the trail, and
    it goes with the member (消去).
    """

    class Basis(models.TextChoices):
        DV = "dv", _("配偶者等からの暴力（DV）")
        STALKING = "stalking", _("ストーカー行為等")
        CHILD_ABUSE = "child_abuse", _("児童虐待")
        OTHER = "other", _("その他（これらに準ずる被害）")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="protections", verbose_name=_("加入者")
    )
    basis = models.CharField(_("根拠"), max_length=12, choices=Basis.choices)
    since = models.DateField(_("開始日"))
    until = models.DateField(_("終了日"), null=True, blank=True)
    persons = models.TextField(
        _("開示・送付をしない相手"),
        max_length=500,
        help_text=_("加害者等の氏名と続柄（例：夫 山田太郎）。この加入者の情報を渡しません。"),
    )

    objects = ProtectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("保護措置（DV等）")
        verbose_name_plural = _("保護措置（DV等）")
        ordering = ("-since", "-id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="records_protection_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        # Ids only: the admin's history keeps this text.
        return f"{self._meta.verbose_name} ({self.member_id})"

    def clean(self) -> None:
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": _("終了日は開始日以後の日にしてください。")})


class ThirdPartyProvision(Created):
    """第三者提供記録 (APPI Art. 29): what went to whom, when, and on what legal basis."""

    class LegalBasis(models.TextChoices):
        """On what the society provided, in the Act's words (APPI Art. 27(1) as amended in
        2021). Codes are stored: the words may change, a code never. Items (v) and (vi) are
        the grounds of a provider that is itself a 学術研究機関等, which a health insurance
        society is not: `academic` is item (vii), a provision to one (rows stored before as
        「第5号から第7号」 can only have been that)."""

        CONSENT = "consent", _("本人の同意（第27条第1項）")
        # APPI Art. 27(1)(i)-(iv), (vii): provision without consent. A 第三者提供の停止
        # obtained under Art. 35 does not reach these: the society must or may provide
        # regardless. Items (ii)-(iv) and (vii) hold only with their condition
        # (`safeguards.models.condition_of`), confirmed when the provision is recorded.
        LAW = "law", _("法令（条例を含む。）に基づく場合（第27条第1項第1号）")
        PROTECTION = (
            "protection",
            _(
                "人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得る"
                "ことが困難であるとき（同項第2号）"
            ),
        )
        PUBLIC_HEALTH = (
            "public_health",
            _(
                "公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合であって、"
                "本人の同意を得ることが困難であるとき（同項第3号）"
            ),
        )
        STATE_AFFAIRS = (
            "state_affairs",
            _(
                "国の機関若しくは地方公共団体又はその委託を受けた者が法令の定める事務を遂行する"
                "ことに対して協力する必要がある場合であって、本人の同意を得ることにより当該事務の"
                "遂行に支障を及ぼすおそれがあるとき（同項第4号）"
            ),
        )
        ACADEMIC = (
            "academic",
            _(
                "当該第三者が学術研究機関等である場合であって、当該第三者が当該個人データを学術"
                "研究目的で取り扱う必要があるとき（当該個人データを取り扱う目的の一部が学術研究"
                "目的である場合を含み、個人の権利利益を不当に侵害するおそれがある場合を除く。）"
                "（同項第7号）"
            ),
        )

        @property
        def article(self) -> str:
            """The item, as a message names it (the words are long)."""
            if self is ThirdPartyProvision.LegalBasis.CONSENT:
                return str(_("本人の同意（法第27条第1項）"))
            items = {"law": 1, "protection": 2, "public_health": 3, "state_affairs": 4}
            item = items.get(self.value, 7)
            return str(_("法第27条第1項第%(item)d号")) % {"item": item}

        @property
        def is_statutory_exception(self) -> bool:
            """Provision without the person's consent under Art. 27(1): a stop does not bar it,
            and it is no Art. 29 record (Art. 29(1) proviso)."""
            return self is not ThirdPartyProvision.LegalBasis.CONSENT

    class KeptUnder(models.TextChoices):
        """Under which rule the society keeps the row: the record Art. 29 requires (and Art.
        33(5) discloses), or its own account of a provision under an Art. 27(1) exception,
        which Art. 29(1) proviso exempts from the record."""

        ART29 = "art29", _("第三者提供記録（法第29条）")
        ART27_1 = "art27_1", _("法第27条第1項の例外による提供（法第29条の記録に当たらない）")

    # The rows kept as Art. 29 records: those `kept_under` calls ART29, as a query.
    ART29_RECORDS = models.Q(legal_basis=LegalBasis.CONSENT)

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="provisions", verbose_name=_("加入者")
    )
    category = models.ForeignKey(
        "purposes.Category", on_delete=models.PROTECT, verbose_name=_("類型")
    )
    recipient = models.CharField(_("提供先"), max_length=200)
    provided_on = models.DateField(_("提供日"))
    items = models.JSONField(_("提供した項目"), default=list)
    legal_basis = models.CharField(_("根拠"), max_length=200, choices=LegalBasis.choices)
    legal_basis_detail = models.CharField(
        _("根拠の詳細"), max_length=200, blank=True, help_text=_("法令名と条項など")
    )
    # Whoever recorded a provision under items (ii)-(iv) or (vii) confirmed that the ground's
    # condition held (本人の同意を得ることが困難であること, ...). False on the rows recorded
    # before the question was asked, and on the grounds without a condition.
    condition_confirmed = models.BooleanField(_("根拠の条件の確認"), default=False)

    class Meta:
        verbose_name = _("第三者提供記録")
        verbose_name_plural = _("第三者提供記録")
        ordering = ("-provided_on", "-id")

    def __str__(self) -> str:
        return f"{self.recipient} {self.provided_on}"

    @property
    def kept_under(self) -> "ThirdPartyProvision.KeptUnder":
        if self.LegalBasis(self.legal_basis).is_statutory_exception:
            return self.KeptUnder.ART27_1
        return self.KeptUnder.ART29


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


class DataKey(models.Model):
    """A member's data key, wrapped by the key-encryption key (`core.envelope`). Kept in the
    key store, the database `keys` (`records.keystore`), never in the main one: a member is
    named by id only, and erasing the member destroys the row.

    After a partial erasure the member is given a new key (`version` + 1) and their sealed
    records are sealed again under it; until they all are, the key it replaces stays in the
    `retiring_*` fields, then goes (`records.sealing.rekey`)."""

    member_id = models.BigIntegerField(_("加入者ID"), primary_key=True)
    version = models.PositiveIntegerField(_("鍵の版"), default=1)
    kek_id = models.CharField(_("鍵暗号化鍵"), max_length=16)
    wrapped = models.BinaryField(_("包んだデータ鍵"))
    retiring_version = models.PositiveIntegerField(_("廃棄待ちの鍵の版"), null=True, blank=True)
    retiring_kek_id = models.CharField(_("廃棄待ちの鍵の鍵暗号化鍵"), max_length=16, blank=True)
    retiring_wrapped = models.BinaryField(_("廃棄待ちの包んだデータ鍵"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    rewrapped_at = models.DateTimeField(_("包み直した日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("データ鍵")
        verbose_name_plural = _("データ鍵")
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ鍵（加入者 {self.member_id}）"


class PendingKeyOperation(models.Model):
    """A key operation an erasure asked for and that is not done yet (`records.rekeying`): a
    re-key after a partial erasure, or the destruction of the key of a member erased whole.
    Until it is done, the member's key still opens the erased values' copies in every earlier
    backup of the main database. Kept in the main database, written in the erasure's own
    transaction, so that neither a key store out of reach nor a process that dies loses it;
    the row goes once the operation is done. Ids, times and counts only."""

    class Kind(models.TextChoices):
        REKEY = "rekey", _("取替え")
        DESTROY = "destroy", _("破棄")

    # An id, not a key to `Member`: a member erased whole is gone before their key is.
    member_id = models.BigIntegerField(_("加入者ID"), primary_key=True)
    # A destruction asked for replaces a re-key still pending: it covers every erasure.
    kind = models.CharField(_("処理"), max_length=7, choices=Kind.choices, default=Kind.REKEY)
    since = models.DateTimeField(_("求めた日時"))
    # How many erasures asked for it: a re-key done counts only for those it saw begin.
    erasures = models.PositiveIntegerField(_("求めた消去の数"), default=1)
    attempts = models.PositiveIntegerField(_("失敗した試行の数"), default=0)
    last_error = models.CharField(_("最後のエラー"), max_length=100, blank=True)
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)

    class Meta:
        verbose_name = _("保留中のデータ鍵の処理")
        verbose_name_plural = _("保留中のデータ鍵の処理")
        default_permissions = ()

    def __str__(self) -> str:
        return f"データ鍵の{self.get_kind_display()}（加入者 {self.member_id}）"


class Tally(models.Model):
    """How many records a category holds, as a sum: each statement that adds records, removes
    them or moves them to another category adds a row here with the change per category,
    written by triggers on `records_record` in the statement's own transaction (migration
    0018; PostgreSQL only), and `compact_tallies` folds the rows into one per category. The
    gate counts a scope of whole categories from it (`GatedQuerySet.count`) instead of
    reading 1.3 million index entries for the receipts. Numbers only, no personal data."""

    category = models.ForeignKey(
        "purposes.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("類型")
    )
    rows = models.BigIntegerField(_("件数の増減"))

    class Meta:
        verbose_name = _("記録の件数")
        verbose_name_plural = _("記録の件数")
        default_permissions = ()

    def __str__(self) -> str:
        return f"記録の件数（類型 {self.category_id}：{self.rows:+d}）"
