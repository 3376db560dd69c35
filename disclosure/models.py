"""Requests about retained personal data (APPI Art. 32 to 39), as filed and as handled.

One `Request` is one filing: one receipt number, one identity check, one deadline, one
letter trail, though it may ask for several kinds at once (a member who wants their data
and its correction files once). Outcomes are per item (`DecisionItem`), so a request may
disclose one category and refuse another. States change only through
`core.workflow.transition` (table in `disclosure.workflow`); nothing here writes the trail.
"""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import deadlines
from core.filing import PublicFiling

if TYPE_CHECKING:  # a development package: the lazy messages' type
    from django_stubs_ext import StrOrPromise


class Kind(models.TextChoices):
    PURPOSE_NOTICE = "purpose_notice", _("利用目的の通知")  # APPI Art. 32(2)
    DISCLOSURE = "disclosure", _("開示")  # APPI Art. 33(1), (5) for provision records
    CORRECTION = "correction", _("訂正・追加・削除")  # APPI Art. 34
    SUSPENSION = "suspension", _("利用停止")  # APPI Art. 35(1)
    ERASURE = "erasure", _("消去")  # APPI Art. 35(1)
    THIRD_PARTY_STOP = "third_party_stop", _("第三者提供の停止")  # APPI Art. 35(3)


# Outside APPI, which protects the living: the bereaved ask for a deceased member's receipts
# under the MHLW notice, which this names in their letters and refusals.
MHLW_NOTICE = _("「診療報酬明細書等の被保険者等への開示について」（厚生労働省通知）")

# APPI Art. 38(1): a fee may be charged for these two kinds only.
FEE_KINDS = frozenset({Kind.PURPOSE_NOTICE, Kind.DISCLOSURE})


def notice_fees() -> list[tuple[str, int]]:
    """The fee of each kind that may carry one (Art. 38(1)), as `/privacy/` lists them: a kind
    without its row yet is free, as `KindPolicy.for_kind` would make it (read, not created)."""
    set_ = dict(KindPolicy.objects.filter(kind__in=FEE_KINDS).values_list("kind", "fee_yen"))
    return [(str(label), set_.get(kind, 0)) for kind, label in Kind.choices if kind in FEE_KINDS]


class KindPolicy(models.Model):
    """The society's answer period and fee for one kind of request (its own rules: the Act
    says only 遅滞なく, and Art. 38(2) asks for a fee reasonable for the actual cost)."""

    DEFAULT_DEADLINE_DAYS = 30

    kind = models.CharField(_("請求の種類"), max_length=20, choices=Kind.choices, unique=True)
    deadline_days = models.PositiveIntegerField(
        _("回答期限（日数）"), default=DEFAULT_DEADLINE_DAYS
    )
    fee_yen = models.PositiveIntegerField(_("手数料（円）"), default=0)

    class Meta:
        verbose_name = _("請求の種類ごとの期限と手数料")
        verbose_name_plural = _("請求の種類ごとの期限と手数料")
        ordering = ("kind",)
        constraints = [
            # APPI Art. 38(1): no fee for correction, suspension, erasure or a third-party stop.
            models.CheckConstraint(
                condition=models.Q(fee_yen=0) | models.Q(kind__in=sorted(FEE_KINDS)),
                name="disclosure_kindpolicy_fee_only_where_allowed",
                violation_error_message=_("手数料は利用目的の通知と開示にのみ定められます。"),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @classmethod
    def for_kind(cls, kind: str) -> "KindPolicy":
        policy, _created = cls.objects.get_or_create(kind=kind)
        return policy


class Request(PublicFiling):
    STATUS_URL_NAME = "disclosure:status"
    # What the filer (and an agent) wrote of themselves: emptied after the member's 消去
    # (disclosure.erasure says when), the digest kept instead.
    PERSONAL_FIELDS = {
        "agent_name": "",
        "agent_name_kana": "",
        "agent_relationship": "",
        "agent_address": "",
        "agent_phone": "",
        "bereaved_name": "",
        "bereaved_name_kana": "",
        "member_symbol": "",
        "member_number": "",
        "member_branch": "",
        "name": "",
        "name_kana": "",
        "birth_date": None,
        "postal_code": "",
        "address": "",
        "phone": "",
        "email": "",
        "grounds": "",
        "corrections": [],
        "tracking_number": "",
    }
    DIGEST_PURPOSE = "kumiai.disclosure.filing"

    class State(models.TextChoices):
        RECEIVED = "received", _("受付")
        IDENTITY_CHECK = "identity_check", _("本人確認中")
        AWAITING_DOCUMENTS = "awaiting_documents", _("書類の追加待ち")
        REVIEW = "review", _("審査中")
        DECIDED = "decided", _("決定")
        CARRIED_OUT = "carried_out", _("実施済み")
        CLOSED = "closed", _("完了")
        WITHDRAWN = "withdrawn", _("取下げ")
        REJECTED = "rejected", _("本人確認ができないため却下")

    class Filer(models.TextChoices):
        SELF = "self", _("本人")
        LEGAL_AGENT = "legal_agent", _("法定代理人")
        APPOINTED_AGENT = "appointed_agent", _("任意代理人（委任による代理人）")

    class Bereaved(models.TextChoices):
        # The MHLW notice: the deceased's spouse, children, parents, and those of similar
        # standing (their agents file as any agent does).
        SPOUSE = "spouse", _("配偶者")
        PARENT = "parent", _("父母")
        CHILD = "child", _("子")
        OTHER = "other", _("その他（配偶者・子・父母に準ずる者）")

    class Method(models.TextChoices):
        # APPI Art. 33(1): the person may ask for electronic delivery or paper.
        DOWNLOAD = "download", _("電子データ（ダウンロード）")
        POST = "post", _("書面の郵送")

    class Delivery(models.TextChoices):
        # How the package went. 要配慮個人情報 may go by post instead, to the address the
        # register holds, handed to the member alone: the status link and the birth date
        # reach whoever shares the member's mailbox or knows them (issue 14, item 8).
        DOWNLOAD = "download", _("請求の状況のページからのダウンロード")
        RESTRICTED_POST = "restricted_post", _("本人限定受取郵便（登録住所あて）")

    class Outcome(models.TextChoices):
        FULL = "full", _("全部開示・全部実施")
        PARTIAL = "partial", _("一部開示・一部実施")
        NONE = "none", _("不開示・不実施")

    # States in which a decision has been made; `outcome` is set in each.
    DECIDED_STATES = (State.DECIDED, State.CARRIED_OUT, State.CLOSED)
    # States in which the member is matched; the identity check set `member`.
    MATCHED_STATES = (State.REVIEW, *DECIDED_STATES)
    # States in which the requester still waits for an answer: the deadline runs.
    ANSWER_PENDING_STATES = (
        State.RECEIVED,
        State.IDENTITY_CHECK,
        State.AWAITING_DOCUMENTS,
        State.REVIEW,
    )
    OPEN_STATES = (
        State.RECEIVED,
        State.IDENTITY_CHECK,
        State.AWAITING_DOCUMENTS,
        State.REVIEW,
        State.DECIDED,
    )

    kinds = models.JSONField(_("請求の種類"), help_text=_("Kind の値のリスト"))
    include_provision_records = models.BooleanField(
        _("第三者提供記録の開示を含む"), default=False
    )  # APPI Art. 33(5)

    filer = models.CharField(_("請求者"), max_length=16, choices=Filer.choices)
    agent_name = models.CharField(_("代理人の氏名"), max_length=100, blank=True)
    agent_name_kana = models.CharField(_("代理人のフリガナ"), max_length=100, blank=True)
    agent_relationship = models.CharField(_("本人との関係"), max_length=100, blank=True)
    agent_address = models.CharField(_("代理人の住所"), max_length=200, blank=True)
    agent_phone = models.CharField(_("代理人の電話番号"), max_length=20, blank=True)

    # A 遺族 開示依頼 (the MHLW notice, not APPI): the relationship to the deceased member,
    # whose receipts alone it asks for; empty for a request under APPI. The bereaved person
    # files (`filer` 本人) or their agent does; the member's fields name the deceased.
    bereaved_relationship = models.CharField(
        _("死亡した加入者との続柄"), max_length=8, choices=Bereaved.choices, blank=True
    )
    bereaved_name = models.CharField(_("遺族の氏名"), max_length=100, blank=True)
    bereaved_name_kana = models.CharField(_("遺族のフリガナ"), max_length=100, blank=True)
    # The medical institution is asked about the disclosure only with this consent.
    institution_consent = models.BooleanField(
        _("医療機関に請求者の氏名等を伝えることに同意する"), default=False
    )

    member_symbol = models.CharField(_("記号"), max_length=8)
    member_number = models.CharField(_("番号"), max_length=10)
    member_branch = models.CharField(_("枝番"), max_length=2)
    name_kana = models.CharField(_("フリガナ"), max_length=100)
    # Empty only once a 消去 has replaced the filing by `identity_digest` (disclosure.erasure).
    birth_date = models.DateField(_("生年月日"), null=True)
    postal_code = models.CharField(_("郵便番号"), max_length=8)
    # 氏名, 住所, 電話番号 and メールアドレス: the public filing's (core.filing), required.

    categories = models.ManyToManyField(
        "purposes.Category",
        blank=True,
        related_name="+",
        verbose_name=_("対象の類型"),
        help_text=_("空欄はすべての類型"),
    )
    period_from = models.DateField(_("対象期間（から）"), null=True, blank=True)
    period_until = models.DateField(_("対象期間（まで）"), null=True, blank=True)
    method = models.CharField(_("開示の方法"), max_length=8, choices=Method.choices, blank=True)
    corrections = models.JSONField(
        _("訂正等を求める内容"),
        default=list,
        blank=True,
        help_text=_("項目・現在の内容・正しい内容"),
    )
    grounds = models.TextField(
        _("請求の理由"), blank=True, help_text=_("利用停止・消去・第三者提供の停止の理由")
    )

    # 照合: what of the filed 氏名 and フリガナ differed from the register's (field names, after
    # `core.normalize.fold_name`), and the officer's confirmation that the identity document
    # was checked, without which a difference stops the match.
    name_differences = models.JSONField(
        _("登録と異なった項目"), default=list, blank=True, help_text=_("照合のときに記録")
    )
    identity_document_checked = models.BooleanField(
        _("相違を本人確認書類で確認した"), default=False
    )

    state = models.CharField(
        _("状態"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    due_on = models.DateField(_("回答期限"))
    extended_due_on = models.DateField(_("延長後の期限"), null=True, blank=True)
    extension_reason = models.TextField(_("延長の理由"), blank=True)

    fee_yen = models.PositiveIntegerField(_("手数料（円）"), default=0)  # APPI Art. 38
    fee_paid_on = models.DateField(_("手数料の納付日"), null=True, blank=True)

    outcome = models.CharField(_("決定"), max_length=8, choices=Outcome.choices, blank=True)
    reasons = models.TextField(_("理由"), blank=True)  # APPI Art. 36
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    delivery = models.CharField(
        _("開示データの交付方法"), max_length=16, choices=Delivery.choices, blank=True
    )
    posted_on = models.DateField(_("発送日"), null=True, blank=True)
    tracking_number = models.CharField(_("追跡番号"), max_length=20, blank=True)
    state_note = models.TextField(
        _("連絡事項"), blank=True, help_text=_("追加書類の依頼や却下の理由など、請求者への連絡")
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受付者"),
        help_text=_("空欄はウェブからの請求"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("開示等の請求")
        verbose_name_plural = _("開示等の請求")
        ordering = ("due_on", "id")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=("decided", "carried_out", "closed"))
                | ~models.Q(outcome=""),
                name="disclosure_request_decided_has_outcome",
            ),
            # A matched request names its member, or, once the member was erased, keeps the
            # digest of what the filing said instead.
            models.CheckConstraint(
                condition=~models.Q(state__in=("review", "decided", "carried_out", "closed"))
                | models.Q(member__isnull=False)
                | ~models.Q(identity_digest=""),
                name="disclosure_request_matched_has_member",
            ),
            # An extension moves the deadline later and says why (APPI Art. 36 style notice).
            models.CheckConstraint(
                condition=models.Q(extended_due_on__isnull=True)
                | (
                    models.Q(extended_due_on__gt=models.F("due_on"))
                    & ~models.Q(extension_reason="")
                ),
                name="disclosure_request_extension_later_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_paid_on__isnull=True) | models.Q(fee_yen__gt=0),
                name="disclosure_request_paid_only_with_fee",
            ),
            models.CheckConstraint(
                condition=models.Q(filer="self") | ~models.Q(agent_name=""),
                name="disclosure_request_agent_named",
            ),
            # A package posted says when it went.
            models.CheckConstraint(
                condition=~models.Q(delivery="restricted_post") | models.Q(posted_on__isnull=False),
                name="disclosure_request_posted_dated",
            ),
        ]
        indexes = [
            # The admin's worklist: open requests by deadline, overdue first.
            models.Index(fields=("state", "due_on"), name="disclosure_request_worklist"),
        ]

    @property
    def effective_due_on(self):
        return self.extended_due_on or self.due_on

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, *, today) -> bool:
        return deadlines.is_overdue(
            self.effective_due_on, today=today, done=self.state not in self.ANSWER_PENDING_STATES
        )

    def kind_labels(self) -> list[str]:
        if self.is_bereaved:
            return [str(_("遺族への診療報酬明細書等の開示"))]
        return [str(Kind(kind).label) for kind in self.kinds]

    @property
    def is_bereaved(self) -> bool:
        return bool(self.bereaved_relationship)

    @property
    def on_behalf(self) -> bool:
        """Whether someone other than the member files: an agent, or the bereaved."""
        return self.filer != self.Filer.SELF or self.is_bereaved

    def clean(self):
        if self.is_bereaved:
            if list(self.kinds) != [Kind.DISCLOSURE] or self.include_provision_records:
                raise ValidationError(
                    {"kinds": _("遺族からの依頼は、診療報酬明細書等の開示だけです。")}
                )
            if not self.bereaved_name:
                raise ValidationError({"bereaved_name": _("遺族の氏名を入力してください。")})


class IdentityDocument(models.Model):
    """An uploaded document: the requester's identity, or an agent's authority.

    Kept under MEDIA_ROOT (outside any public folder), served only by the admin to staff.
    `request` is empty while the filer is on the confirmation page: the upload is stored
    provisionally and attached when the request is filed.
    """

    class Role(models.TextChoices):
        IDENTITY = "identity", _("本人確認書類")
        AGENT_IDENTITY = "agent_identity", _("代理人の本人確認書類")
        AUTHORITY = "authority", _("代理権を証する書類（委任状・戸籍謄本など）")
        BEREAVEMENT = (
            "bereavement",
            _("死亡の事実と続柄を証する書類（戸籍謄本など）"),
        )

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("請求"),
    )
    role = models.CharField(_("書類の種別"), max_length=16, choices=Role.choices)
    # What its address names: unguessable, so that no one counts through the documents.
    key = models.UUIDField(_("参照キー"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("ファイル"), upload_to="disclosure/documents/%Y/%m/")
    content_type = models.CharField(_("形式"), max_length=50)
    size = models.PositiveIntegerField(_("大きさ（バイト）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("提出書類")
        verbose_name_plural = _("提出書類")
        ordering = ("id",)
        indexes = [
            # The purge of provisional uploads that were never confirmed.
            models.Index(fields=("request", "uploaded_at"), name="disclosure_document_orphans"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.content_type})"


# The kinds of APPI Art. 35: 利用停止・消去 (paragraphs 1, 2, 5, 6), 第三者提供の停止 (3 to 6).
STOP_KINDS = frozenset({Kind.SUSPENSION, Kind.ERASURE, Kind.THIRD_PARTY_STOP})


class DecisionItem(models.Model):
    """One decided item: a category to disclose, a field to correct, a record to erase.

    A refusal names its ground (APPI Art. 33(2) for disclosure, Art. 34(2) and 35 for the
    others; `GROUNDS` says which belong to which kind) and its written reason (Art. 36); a
    correction names the new value. An Art. 35 item names the case the member invokes
    (`Case`, `CASES`), a 利用停止 may be limited to one purpose, and a refusal under the
    proviso of Art. 35(2), (4) or (6) records the alternative measure taken instead.
    """

    class Ground(models.TextChoices):
        HARM = (
            "harm",
            _(
                "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれ（法第33条第2項第1号）"
            ),
        )
        BUSINESS = "business", _("業務の適正な実施に著しい支障を及ぼすおそれ（法第33条第2項第2号）")
        OTHER_LAW = "other_law", _("他の法令に違反することとなる（法第33条第2項第3号）")
        ACCURATE = "accurate", _("内容が事実でないとは認められない（法第34条第2項）")
        NO_REASON = (
            "no_reason",
            _("請求に理由がない（法第35条第1項・第3項・第5項の要件に該当しない）"),
        )
        # The law or article itself is named on the item (`retention_law`).
        RETENTION = "retention", _("法令により保存が義務付けられている")
        # APPI Art. 35(2), (4), (6) proviso: stopping is not done, an alternative measure is.
        DIFFICULT = (
            "difficult",
            _(
                "多額の費用を要する場合その他の困難な場合"
                "（法第35条第2項ただし書・第4項ただし書・第6項ただし書）"
            ),
        )
        NOT_HELD = "not_held", _("該当する保有個人データがない")
        # A 遺族 開示依頼's refusal (also of a receipt the institution flagged): the notice's.
        BEREAVED = (
            "bereaved",
            _(
                "死亡した加入者本人又は第三者の権利利益を不当に侵害するおそれ"
                "（厚生労働省通知「診療報酬明細書等の被保険者等への開示について」）"
            ),
        )

    class Case(models.TextChoices):
        """What the member says the society did, or what happened (APPI Art. 35)."""

        # Art. 35(1): 利用停止・消去
        OUT_OF_PURPOSE = "out_of_purpose", _("目的外利用（法第18条）")
        IMPROPER_USE = "improper_use", _("不適正利用（法第19条）")
        IMPROPER_ACQUISITION = "improper_acquisition", _("不正取得（法第20条）")
        # Art. 35(3): 第三者提供の停止
        UNLAWFUL_PROVISION = (
            "unlawful_provision",
            _("同意のない第三者提供（法第27条第1項・第28条）"),
        )
        # Art. 35(5), since the 2022 amendment: either kind
        NO_LONGER_NEEDED = "no_longer_needed", _("利用する必要がなくなった")
        LEAK = "leak", _("漏えい等（法第26条第1項本文）が生じた")
        RIGHTS_AT_RISK = "rights_at_risk", _("本人の権利又は正当な利益が害されるおそれ")

        @property
        def paragraph(self) -> str:
            """The paragraph of Art. 35 that gives this case, as the letter names it."""
            return next(str(label) for label, cases in CASE_PARAGRAPHS if self in cases)

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="items", verbose_name=_("請求")
    )
    kind = models.CharField(_("請求の種類"), max_length=20, choices=Kind.choices)
    granted = models.BooleanField(_("認める"))
    category = models.ForeignKey(
        "purposes.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("類型"),
    )
    # A plain id, not a foreign key: an erased record is gone, the decision stays.
    record_id = models.BigIntegerField(_("記録ID"), null=True, blank=True)
    # A 第三者提供記録 withheld under Art. 33(5), which applies the grounds of 33(2); a plain
    # id as `record_id` is.
    provision_id = models.BigIntegerField(_("第三者提供記録ID"), null=True, blank=True)

    class Correction(models.TextChoices):
        # APPI Art. 34(1): the content corrected, added to, or deleted.
        CORRECT = "correct", _("訂正")
        ADD = "add", _("追加")
        DELETE = "delete", _("削除")

    correction = models.CharField(
        _("訂正等の種類"), max_length=8, choices=Correction.choices, default=Correction.CORRECT
    )
    field = models.CharField(_("項目"), max_length=64, blank=True)
    new_value = models.TextField(_("訂正後の内容"), blank=True)
    case = models.CharField(_("請求の事由"), max_length=24, choices=Case.choices, blank=True)
    # APPI Art. 35(1): a 利用停止 for this purpose only; empty, for every purpose.
    purpose = models.ForeignKey(
        "purposes.Purpose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("利用目的"),
    )
    ground = models.CharField(_("根拠"), max_length=16, choices=Ground.choices, blank=True)
    retention_law = models.CharField(_("保存を義務付ける法令・条項"), max_length=200, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    alternative_measure = models.TextField(_("代替措置"), blank=True)
    # APPI Art. 35: a 消去 naming neither category nor record erases the whole member, the
    # member row included; it is carried out only when the officer confirmed that a second time.
    WHOLE_UNCONFIRMED = _(
        "類型も記録も指定しない消去は、加入者のすべてを消去します。"
        "そのとおりでよいか確認の欄にチェックしてください。"
    )
    whole_confirmed = models.BooleanField(
        _("加入者のすべてを消去することを確認した"), default=False
    )

    class Meta:
        verbose_name = _("決定の明細")
        verbose_name_plural = _("決定の明細")
        ordering = ("id",)
        constraints = [
            # APPI Art. 36: a refusal, whole or partial, gives its reason.
            models.CheckConstraint(
                condition=models.Q(granted=True) | (~models.Q(ground="") & ~models.Q(reason="")),
                name="disclosure_item_refusal_has_ground_and_reason",
            ),
            # APPI Art. 35(2), (4), (6) proviso: not stopping is lawful only with a measure
            # taken instead, and a measure is recorded only there.
            models.CheckConstraint(
                condition=(models.Q(ground="difficult") & ~models.Q(alternative_measure=""))
                | (~models.Q(ground="difficult") & models.Q(alternative_measure="")),
                name="disclosure_item_proviso_has_alternative_measure",
                violation_error_message=_(
                    "代替措置は、多額の費用を要する場合その他の困難な場合を根拠とするときに"
                    "必ず書き、それ以外では書きません。"
                ),
            ),
            models.CheckConstraint(
                condition=(models.Q(ground="retention") & ~models.Q(retention_law=""))
                | (~models.Q(ground="retention") & models.Q(retention_law="")),
                name="disclosure_item_retention_names_the_law",
                violation_error_message=_(
                    "法令により保存が義務付けられているときは、その法令と条項を書いてください。"
                ),
            ),
            # 第三者提供の停止 stops provision whatever the purpose (records.Restriction).
            models.CheckConstraint(
                condition=models.Q(purpose__isnull=True) | models.Q(kind="suspension"),
                name="disclosure_item_purpose_only_for_suspension",
                violation_error_message=_("利用目的を限れるのは利用停止だけです。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.field or self.category_id or ''}"

    @property
    def subject(self) -> str:
        """What the item decides, as the letter heads it: the kind, then the category, record,
        provision record, field and purpose it is limited to."""
        parts = (
            str(Kind(self.kind).label),
            self.category.name if self.category else "",
            _("記録ID %(id)s") % {"id": self.record_id} if self.record_id else "",
            # Its id only: the recipient (a 児童相談所, told to a parent) is what is withheld.
            _("第三者提供記録ID %(id)s") % {"id": self.provision_id} if self.provision_id else "",
            self.field,
            _("（利用目的：%(purpose)s）") % {"purpose": self.purpose.name} if self.purpose else "",
        )
        return " ".join(str(part) for part in parts if part)

    @property
    def erases_whole_member(self) -> bool:
        return self.kind == Kind.ERASURE and self.category_id is None and self.record_id is None

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        kind = Kind(self.kind)
        bereaved = self.request_id is not None and self.request.is_bereaved
        if self.ground and self.ground not in (BEREAVED_GROUNDS if bereaved else GROUNDS[kind]):
            errors["ground"] = _(
                "「%(ground)s」は%(kind)sの請求を認めない根拠になりません。"
                "%(kind)sの根拠から選んでください。"
            ) % {"ground": self.Ground(self.ground).label, "kind": kind.label}
        if self.case and self.case not in CASES.get(kind, ()):
            errors["case"] = _("「%(case)s」は%(kind)sの請求の事由になりません（法第35条）。") % {
                "case": self.Case(self.case).label,
                "kind": kind.label,
            }
        elif kind in STOP_KINDS and not self.case:
            # APPI Art. 35(2), (4), (6): the society acts (or takes the proviso's measure)
            # only where the request has a case under paragraph 1, 3 or 5.
            if self.granted:
                errors["case"] = _("認めるときは、請求の事由を選んでください（法第35条）。")
            elif self.ground == self.Ground.DIFFICULT:
                errors["case"] = _(
                    "ただし書によるのは請求に理由があるときです。請求の事由を選んでください。"
                )
        if self.ground == self.Ground.DIFFICULT and not self.alternative_measure.strip():
            errors["alternative_measure"] = _(
                "多額の費用を要する場合その他の困難な場合は、本人の権利利益を保護するために"
                "代わりにとる措置を書いてください（法第35条第2項・第4項・第6項ただし書）。"
            )
        elif self.alternative_measure and self.ground != self.Ground.DIFFICULT:
            errors["alternative_measure"] = _(
                "代替措置は「多額の費用を要する場合その他の困難な場合」を根拠とするときに書きます。"
            )
        if self.ground == self.Ground.RETENTION and not self.retention_law.strip():
            errors["retention_law"] = _(
                "保存を義務付けている法令と条項を書くか、一覧から選んでください。"
            )
        elif self.retention_law and self.ground != self.Ground.RETENTION:
            errors["retention_law"] = _(
                "法令の名称は「法令により保存が義務付けられている」を根拠とするときに書きます。"
            )
        if self.purpose_id is not None and kind != Kind.SUSPENSION:
            errors["purpose"] = _(
                "利用目的を限れるのは利用停止だけです。第三者提供の停止は利用目的にかかわらず"
                "提供を止めます。"
            )
        if self.granted and self.erases_whole_member and not self.whole_confirmed:
            errors["whole_confirmed"] = self.WHOLE_UNCONFIRMED
        if errors:
            raise ValidationError(errors)


_Ground, _Case = DecisionItem.Ground, DecisionItem.Case
# The grounds on which each kind may be refused: disclosure Art. 33(2), correction Art. 34(2),
# the Art. 35 kinds their own (a retention duty keeps a record, it does not oblige its use).
_ART35_GROUNDS = (_Ground.NO_REASON, _Ground.DIFFICULT, _Ground.NOT_HELD)
GROUNDS: dict[Kind, tuple[DecisionItem.Ground, ...]] = {
    Kind.PURPOSE_NOTICE: (_Ground.NOT_HELD,),
    Kind.DISCLOSURE: (_Ground.HARM, _Ground.BUSINESS, _Ground.OTHER_LAW, _Ground.NOT_HELD),
    Kind.CORRECTION: (_Ground.ACCURATE, _Ground.NOT_HELD),
    Kind.SUSPENSION: _ART35_GROUNDS,
    Kind.ERASURE: (_Ground.NO_REASON, _Ground.RETENTION, _Ground.DIFFICULT, _Ground.NOT_HELD),
    Kind.THIRD_PARTY_STOP: _ART35_GROUNDS,
}
# A 遺族 開示依頼 is outside APPI: refused on the MHLW notice's ground, or for want of receipts.
BEREAVED_GROUNDS = (_Ground.BEREAVED, _Ground.NOT_HELD)
# The cases of APPI Art. 35 by the paragraph that gives them, and which kind each supports.
_PARAGRAPH_1 = (_Case.OUT_OF_PURPOSE, _Case.IMPROPER_USE, _Case.IMPROPER_ACQUISITION)
_PARAGRAPH_3 = (_Case.UNLAWFUL_PROVISION,)
_PARAGRAPH_5 = (_Case.NO_LONGER_NEEDED, _Case.LEAK, _Case.RIGHTS_AT_RISK)
CASE_PARAGRAPHS = (
    (_("法第35条第1項"), _PARAGRAPH_1),
    (_("法第35条第3項"), _PARAGRAPH_3),
    (_("法第35条第5項"), _PARAGRAPH_5),
)
CASES: dict[Kind, tuple[DecisionItem.Case, ...]] = {
    Kind.SUSPENSION: (*_PARAGRAPH_1, *_PARAGRAPH_5),
    Kind.ERASURE: (*_PARAGRAPH_1, *_PARAGRAPH_5),
    Kind.THIRD_PARTY_STOP: (*_PARAGRAPH_3, *_PARAGRAPH_5),
}


class ReceiptConsultation(models.Model):
    """The society's question to the medical institution before a receipt (レセプト) is
    disclosed: would disclosure hinder care (診療上の支障)? A receipt with harm is withheld."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("請求")
    )
    record_id = models.BigIntegerField(_("レセプトの記録ID"))
    institution = models.CharField(_("医療機関"), max_length=200)
    asked_on = models.DateField(_("照会日"))
    answered_on = models.DateField(_("回答日"), null=True, blank=True)
    hinders_care = models.BooleanField(_("診療上の支障あり"), null=True, blank=True)
    note = models.TextField(_("回答の内容"), blank=True)

    class Meta:
        verbose_name = _("医療機関への照会")
        verbose_name_plural = _("医療機関への照会")
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=("request", "record_id"), name="disclosure_consultation_one_per_receipt"
            ),
            models.CheckConstraint(
                condition=models.Q(hinders_care__isnull=True) | models.Q(answered_on__isnull=False),
                name="disclosure_consultation_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.record_id})"


class Letter(models.Model):
    """A letter sent to the requester, kept as the PDF that was sent.

    After a 消去 the PDF (which names the requester) is deleted and its digest stays.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("受付のお知らせ")
        DOCUMENTS = "documents", _("追加書類のお願い")
        EXTENSION = "extension", _("回答期限の延長のお知らせ")
        DECISION = "decision", _("決定通知書")
        COMPLETION = "completion", _("実施完了のお知らせ")
        PURPOSES = "purposes", _("利用目的の通知書")
        REJECTION = "rejection", _("却下のお知らせ")

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="letters", verbose_name=_("請求")
    )
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    # What its addresses name (the status page's, the admin's): unguessable.
    key = models.UUIDField(_("参照キー"), default=uuid.uuid4, unique=True, editable=False)
    issued_on = models.DateField(_("発行日"))
    file = models.FileField(_("PDF"), upload_to="disclosure/letters/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("通知書")
        verbose_name_plural = _("通知書")
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issued_on}"


class Package(models.Model):
    """A disclosure package (ZIP), downloadable from the status page until it expires."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="packages", verbose_name=_("請求")
    )
    file = models.FileField(_("ファイル"), upload_to="disclosure/packages/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("ダウンロード期限"))
    downloads = models.PositiveIntegerField(_("ダウンロード回数"), default=0)

    class Meta:
        verbose_name = _("開示データ")
        verbose_name_plural = _("開示データ")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.request} {self.created_at:%Y-%m-%d}"
