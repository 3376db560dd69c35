"""The request form: one class for the public page and for staff entering paper requests.

The public page comes in two steps (`RequestChoiceForm`, then `RequestForm`): who files and
which kinds they ask for first, then a page with only the fields those need; the choice rides
along as hidden inputs, and decides the fields again whenever the page is posted. The staff's
form shows every field at once.

What people type is normalised in each field's `to_python` (`core.fields`, shared
with the complaints form), so every validator sees "１２３" as "123" and "やまだ" as "ヤマダ".
Uploads that pass their check, and that the page asks for, are kept provisionally (within
the client's hourly quota) and carried in a signed hidden field, so neither an error
elsewhere on the page nor the confirmation step asks the filer to choose the file again.
"""

import datetime
from typing import cast

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.fields import (
    JapaneseDateField,
    NormalizedCharField,
    NormalizedEmailField,
    PhoneField,
    SectionsMixin,
    normalize_lines,
    valid_postal_code,
)
from core.normalize import normalize_code, normalize_kana
from core.ratelimit import Limit
from core.wareki import format_wareki
from purposes.models import Category

from . import services
from .models import STOP_KINDS, IdentityDocument, Kind, Request

UPLOADS_SALT = "disclosure.uploads"
OVER_QUOTA = _(
    "短い時間に多くのファイルが送られたため、いまはファイルを受け取れません。"
    "1時間ほどおいてから、もう一度ファイルを選んでください。"
)
_MEBIBYTE = 1024 * 1024


def _quota_taken(client: str, uploads) -> bool:
    """Whether `client` may still store `uploads` this hour; if so, they are counted, one
    try of the limit per mebibyte begun."""
    limit = Limit(
        "disclosure.uploads",
        attempts=settings.UPLOAD_BYTES_PER_HOUR // _MEBIBYTE,
        window_seconds=60 * 60,
    )
    mebibytes = sum(-(-upload.size // _MEBIBYTE) for upload in uploads)
    return limit.take_many(client, mebibytes) is not None


CORRECTION_ROWS = 3
AGENT_FIELDS = (
    "agent_name",
    "agent_name_kana",
    "agent_relationship",
    "agent_address",
    "agent_phone",
)
BEREAVED_FIELDS = (
    "bereaved_relationship",
    "bereaved_name",
    "bereaved_name_kana",
    "institution_consent",
    "bereavement_document",
)
# The first step's fields: they decide the fields of the form's page.
CHOICE_FIELDS = ("filer", "kinds", "narrow", "bereaved")
MEMBER_LEGEND = _("ご本人（加入者）")
BEREAVED_REQUIRED = _("遺族として依頼するときは「%(label)s」を入力してください。")

_digits = RegexValidator(r"^\d+$", _("半角または全角の数字だけで入力してください。"))
_katakana = RegexValidator(
    r"^[\u30a1-\u30fa\u30fc ]+$", _("フリガナはカタカナかひらがなで入力してください。")
)
_phone = RegexValidator(
    r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$", _("電話番号は 03-1234-5678 のように数字で入力してください。")
)


class DocumentBoundField(forms.BoundField):
    """A document the form may have kept from an earlier page (`RequestForm.keep_uploads`): the
    note that says so (`forms/_field.html`) describes the input after its help and error."""

    @property
    def kept(self) -> bool:
        form = cast("RequestForm", self.form)
        return form.DOCUMENT_FIELDS[self.name] in form.kept_uploads()

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or not self.kept:
            return described
        return f"{described} {self.auto_id}_kept".lstrip()


# 番号法第20条: the society may not collect a 個人番号 here, so a document must not show one.
NO_MY_NUMBER = _(
    "マイナンバーカードの裏面（個人番号が書かれた面）、通知カード、個人番号が記載された"
    "住民票の写しは送らないでください。写っている場合は、番号を隠してから撮影してください。"
)


class DocumentField(forms.FileField):
    bound_field_class = DocumentBoundField


class RequestForm(SectionsMixin, forms.Form):
    """Everything a request needs; `filing()` gives it to `services.request_file`."""

    # The sections of the page, each rendered as a fieldset with this legend.
    SECTIONS: tuple[tuple[str | Promise, tuple[str, ...]], ...] = (
        (_("請求する人"), ("filer", "bereaved")),
        (
            _("遺族の方（亡くなった加入者のレセプトの開示を依頼するときのみ）"),
            ("bereaved_relationship", "bereaved_name", "bereaved_name_kana"),
        ),
        (_("代理人の方（代理人が請求するときのみ）"), AGENT_FIELDS),
        (
            MEMBER_LEGEND,
            ("member_symbol", "member_number", "member_branch", "name", "name_kana", "birth_date"),
        ),
        (_("連絡先"), ("postal_code", "address", "phone", "email")),
        (
            _("請求の内容"),
            (
                "kinds",
                "include_provision_records",
                "narrow",
                "categories",
                "period_from",
                "period_until",
                "method",
                "grounds",
                "institution_consent",
            ),
        ),
        (
            _("訂正・追加・削除を求める内容"),
            tuple(
                f"correction_{part}_{row}"
                for row in range(1, CORRECTION_ROWS + 1)
                for part in ("item", "current", "requested")
            ),
        ),
        (
            _("本人確認書類"),
            (
                "identity_document",
                "agent_identity_document",
                "authority_document",
                "bereavement_document",
            ),
        ),
    )
    DOCUMENT_FIELDS = {
        "identity_document": IdentityDocument.Role.IDENTITY,
        "agent_identity_document": IdentityDocument.Role.AGENT_IDENTITY,
        "authority_document": IdentityDocument.Role.AUTHORITY,
        "bereavement_document": IdentityDocument.Role.BEREAVEMENT,
    }

    filer = forms.ChoiceField(
        label=_("請求するのはどなたですか"),
        choices=Request.Filer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("ご本人か代理人か、請求する人を選んでください。")},
    )
    # The MHLW notice, outside APPI: the bereaved ask for a deceased member's receipts.
    bereaved = forms.BooleanField(
        label=_("亡くなった加入者の診療報酬明細書等（レセプト）の開示を、遺族として依頼する"),
        required=False,
        help_text=_(
            "依頼できるのは、亡くなった方の配偶者・子・父母（これらに準ずる方を含む）と、"
            "その代理人です。遺族ご自身が依頼するときは「本人」を選んでください。"
            "このときは請求の種類を選ぶ必要はありません。"
        ),
    )
    bereaved_relationship = forms.ChoiceField(
        label=_("亡くなった加入者との続柄"),
        choices=Request.Bereaved.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    bereaved_name = NormalizedCharField(label=_("遺族の氏名"), max_length=100, required=False)
    bereaved_name_kana = NormalizedCharField(
        label=_("遺族のフリガナ"),
        max_length=100,
        required=False,
        normalizer=normalize_kana,
        validators=[_katakana],
    )
    institution_consent = forms.BooleanField(
        label=_("医療機関に請求者の氏名等を伝えることに同意する"),
        required=False,
        help_text=_(
            "同意があるときは、開示してよいかを医療機関に確かめます。同意がないときは、"
            "医療機関には確かめずに組合が判断します。"
        ),
    )
    agent_name = NormalizedCharField(label=_("代理人の氏名"), max_length=100, required=False)
    agent_name_kana = NormalizedCharField(
        label=_("代理人のフリガナ"),
        max_length=100,
        required=False,
        normalizer=normalize_kana,
        validators=[_katakana],
    )
    agent_relationship = NormalizedCharField(
        label=_("ご本人との関係"),
        max_length=100,
        required=False,
        help_text=_("例：母、成年後見人、弁護士"),
    )
    agent_address = NormalizedCharField(label=_("代理人の住所"), max_length=200, required=False)
    agent_phone = PhoneField(
        label=_("代理人の電話番号"), max_length=20, required=False, validators=[_phone]
    )
    member_symbol = NormalizedCharField(
        label=_("記号"),
        max_length=8,
        normalizer=normalize_code,
        validators=[_digits],
        help_text=_("保険証（資格確認書）に記載の記号"),
    )
    member_number = NormalizedCharField(
        label=_("番号"), max_length=10, normalizer=normalize_code, validators=[_digits]
    )
    member_branch = NormalizedCharField(
        label=_("枝番"),
        max_length=2,
        normalizer=normalize_code,
        validators=[_digits],
        help_text=_("2桁の数字（例：00、01）"),
    )
    name = NormalizedCharField(label=_("氏名"), max_length=100)
    name_kana = NormalizedCharField(
        label=_("フリガナ"), max_length=100, normalizer=normalize_kana, validators=[_katakana]
    )
    birth_date = JapaneseDateField(
        label=_("生年月日"), help_text=_("例：1980-01-02、昭和55年1月2日、S55.1.2")
    )
    postal_code = NormalizedCharField(
        label=_("郵便番号"), max_length=8, normalizer=normalize_code, validators=[valid_postal_code]
    )
    address = NormalizedCharField(label=_("住所"), max_length=200)
    phone = PhoneField(label=_("電話番号"), max_length=20, validators=[_phone])
    email = NormalizedEmailField(
        label=_("メールアドレス"),
        required=False,
        help_text=_(
            "受付番号と照会用URLをお送りします。ない場合は受付後の画面を印刷してください。"
        ),
    )
    # Required unless the bereaved ask (`_check_kinds`), who ask for the receipts alone.
    kinds = forms.MultipleChoiceField(
        label=_("請求の種類（複数選べます）"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    include_provision_records = forms.BooleanField(
        label=_("開示には第三者提供記録を含める"), required=False
    )
    narrow = forms.BooleanField(
        label=_("対象の情報の類型や期間を指定する"),
        required=False,
        help_text=_("指定しないときは、組合が保有するすべての類型・期間の情報が対象になります。"),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("対象の情報の類型"),
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("選ばないときは、すべての類型が対象になります。"),
    )
    period_from = JapaneseDateField(label=_("対象期間（から）"), required=False)
    period_until = JapaneseDateField(label=_("対象期間（まで）"), required=False)
    method = forms.ChoiceField(
        label=_("開示の方法"),
        choices=Request.Method.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("開示を請求するときに選んでください。"),
    )
    grounds = NormalizedCharField(
        label=_("請求の理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        normalizer=normalize_lines,
        help_text=_("利用停止・消去・第三者提供の停止を請求するときに書いてください。"),
    )
    identity_document = DocumentField(
        label=_("ご本人の本人確認書類"),
        required=False,
        help_text=format_lazy(
            "{} {}",
            _("運転免許証、マイナンバーカードの表面など。JPEG・PNG・HEIC・PDF、10 MB まで。"),
            NO_MY_NUMBER,
        ),
    )
    agent_identity_document = DocumentField(
        label=_("代理人の本人確認書類"), required=False, help_text=NO_MY_NUMBER
    )
    authority_document = DocumentField(
        label=_("代理権を証する書類"),
        required=False,
        help_text=format_lazy(
            "{} {}", _("委任状、戸籍謄本、成年後見の登記事項証明書など。"), NO_MY_NUMBER
        ),
    )
    bereavement_document = DocumentField(
        label=_("死亡の事実と続柄を証する書類"),
        required=False,
        help_text=format_lazy("{} {}", _("戸籍謄本（全部事項証明書）など。"), NO_MY_NUMBER),
    )
    uploads = forms.CharField(widget=forms.HiddenInput, required=False)

    # The public page: the first step's choice decides which fields the page has.
    TWO_STEP = True

    def __init__(self, *args, documents_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents_required = documents_required
        for row in range(1, CORRECTION_ROWS + 1):
            self.fields[f"correction_item_{row}"] = NormalizedCharField(
                label=_("項目 %(row)d") % {"row": row}, max_length=100, required=False
            )
            self.fields[f"correction_current_{row}"] = NormalizedCharField(
                label=_("現在の内容 %(row)d") % {"row": row}, max_length=500, required=False
            )
            self.fields[f"correction_requested_{row}"] = NormalizedCharField(
                label=_("正しい内容 %(row)d") % {"row": row}, max_length=500, required=False
            )
        self.order_by_sections()
        autocomplete = {
            "name": "name",
            "postal_code": "postal-code",
            "address": "street-address",
            "phone": "tel",
            "email": "email",
            "birth_date": "bday",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        for name in ("member_symbol", "member_number", "member_branch", "postal_code", "phone"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        if self.TWO_STEP:
            for name in self._not_needed():
                del self.fields[name]
            for name in CHOICE_FIELDS:
                self.fields[name].widget = self.fields[name].hidden_widget()
            if self.chosen_bereaved():
                self.fields["identity_document"].label = _("請求者（遺族）の本人確認書類")
                for name in ("bereaved_relationship", "bereaved_name", "bereaved_name_kana"):
                    field = self.fields[name]
                    field.required = True  # marked 必須 on the page
                    field.error_messages["required"] = BEREAVED_REQUIRED % {"label": field.label}

    # The first step's choice

    def chosen(self) -> tuple[str, list[str], bool]:
        """(filer, kinds, narrow) as the page carries them (posted, or the initial values of a
        page not yet posted), before any check: they decide which fields the page has."""
        if self.is_bound:
            source = self.data
            kinds = source.getlist(self.add_prefix("kinds")) if hasattr(source, "getlist") else []
            narrow = forms.CheckboxInput().value_from_datadict(
                source, self.files, self.add_prefix("narrow")
            )
        else:
            source = self.initial
            kinds, narrow = list(source.get("kinds") or ()), bool(source.get("narrow"))
        filer = source.get(self.add_prefix("filer") if self.is_bound else "filer") or ""
        return str(filer), [str(kind) for kind in kinds], bool(narrow)

    def chosen_bereaved(self) -> bool:
        """Whether the first step chose a 遺族 開示依頼 (the public page only)."""
        if self.is_bound:
            return bool(
                forms.CheckboxInput().value_from_datadict(
                    self.data, self.files, self.add_prefix("bereaved")
                )
            )
        return bool(self.initial.get("bereaved"))

    def _not_needed(self) -> set[str]:
        filer, chosen_kinds, narrow = self.chosen()
        kinds = set(chosen_kinds)
        unused = set()
        if self.chosen_bereaved():
            # The deceased's receipts alone: nothing to choose of kinds, categories or period.
            kinds, narrow = {Kind.DISCLOSURE}, False
            unused.add("include_provision_records")
        else:
            unused |= set(BEREAVED_FIELDS)
        if filer in ("", Request.Filer.SELF):
            unused |= {*AGENT_FIELDS, "agent_identity_document", "authority_document"}
        if Kind.DISCLOSURE not in kinds:
            unused |= {"include_provision_records", "method"}
        if not kinds & STOP_KINDS:
            unused.add("grounds")
        if Kind.CORRECTION not in kinds:
            unused |= {name for name in self.fields if name.startswith("correction_")}
        if not narrow:
            unused |= {"categories", "period_from", "period_until"}
        return unused

    def chosen_summary(self) -> list[tuple[str, str]]:
        """The first step's answer, in words, for the top of the form's page."""
        filer, kinds, narrow = self.chosen()
        filers, kind_labels = dict(Request.Filer.choices), dict(Kind.choices)
        if self.chosen_bereaved():
            return [
                (str(_("請求する人")), str(filers.get(filer, ""))),
                (str(_("請求の種類")), str(_("遺族への診療報酬明細書等の開示"))),
            ]
        return [
            (str(_("請求する人")), str(filers.get(filer, ""))),
            (
                str(_("請求の種類")),
                "、".join(str(kind_labels[k]) for k in Kind.values if k in kinds),
            ),
            (
                str(_("対象の情報")),
                str(_("類型や期間を指定する") if narrow else _("すべての類型・期間")),
            ),
        ]

    def sections(self):
        """The sections of the page with the fields it has, hidden ones left out (the template
        puts them in the form once); a section left with none is left out."""
        bereaved = self.chosen_bereaved()
        for legend, names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields := [field for field in fields if not field.is_hidden]:
                yield (
                    _("亡くなった加入者") if bereaved and legend == MEMBER_LEGEND else legend,
                    fields,
                )

    # Uploads

    _kept: tuple[str | None, dict[str, int]] = (None, {})

    def kept_uploads(self) -> dict[str, int]:
        """Role -> provisional document id, from the signed hidden field, of the uploads that
        still wait: their wait runs from the upload, not from the signature, which each step
        renews. One that waited too long (`services.documents_purge` deletes it) is asked for
        again. Looked up once for each value of the field: every document field asks."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("uploads"), "")
        else:  # a page shown again, from what the first step carried
            value = self.initial.get("uploads", "")
        if self._kept[0] != value:
            self._kept = (value, self._waiting_uploads(value))
        return dict(self._kept[1])

    def _waiting_uploads(self, value: str) -> dict[str, int]:
        try:
            signed = signing.loads(value, salt=UPLOADS_SALT, max_age=services.UPLOADS_MAX_AGE)
        except signing.BadSignature:
            return {}
        waiting = set(
            IdentityDocument.objects.filter(
                pk__in=signed.values(),
                request=None,
                uploaded_at__gte=timezone.now() - services.UPLOADS_MAX_AGE,
            ).values_list("pk", flat=True)
        )
        return {role: pk for role, pk in signed.items() if pk in waiting}

    def keep_uploads(self, *, client: str | None = None) -> None:
        """Store the uploads that passed their check and that the page asks for, so that the
        filer never sends one twice; nothing else of the page is kept.

        An agent's documents are asked for only when an agent files. A file sent in place of
        a kept one replaces it at once. With `client` (the public form), the bytes count
        against the client's hourly quota (`settings.UPLOAD_BYTES_PER_HOUR`): past it,
        nothing is stored and each file's field says so.
        """
        kept = self.kept_uploads()
        asked = {
            name: role
            for name, role in self.DOCUMENT_FIELDS.items()
            if name in self._documents_asked()
        }
        uploads = {
            name: upload
            for name in asked
            if (upload := self.files.get(self.add_prefix(name))) is not None
            and name not in self.errors
        }
        if uploads and client is not None and not _quota_taken(client, uploads.values()):
            for name in uploads:
                self.add_error(name, OVER_QUOTA)
            uploads = {}
        for name, upload in uploads.items():
            replaced = kept.get(asked[name])
            kept[asked[name]] = services.document_store(upload=upload, role=asked[name]).pk
            if replaced is not None:
                services.document_discard(pk=replaced)
        data = cast(QueryDict, self.data).copy()
        data[self.add_prefix("uploads")] = signing.dumps(kept, salt=UPLOADS_SALT)
        self.data = data

    def _documents_asked(self) -> set[str]:
        """The documents the page asks for: the filer's identity, an agent's two, and the
        bereaved's proof of the death and the relationship."""
        asked = {"identity_document"}
        if self.data.get(self.add_prefix("filer")) in (
            Request.Filer.LEGAL_AGENT,
            Request.Filer.APPOINTED_AGENT,
        ):
            asked |= {"agent_identity_document", "authority_document"}
        if "bereavement_document" in self.fields and (
            self.chosen_bereaved() or self.data.get(self.add_prefix("bereaved_relationship"))
        ):
            asked.add("bereavement_document")
        return asked

    def kept_documents(self) -> list[IdentityDocument]:
        return list(IdentityDocument.objects.filter(pk__in=self.kept_uploads().values()))

    def _clean_document(self, name):
        upload = self.cleaned_data.get(name)
        if upload:
            services.check_document(upload)
        return upload

    def clean_identity_document(self):
        return self._clean_document("identity_document")

    def clean_agent_identity_document(self):
        return self._clean_document("agent_identity_document")

    def clean_authority_document(self):
        return self._clean_document("authority_document")

    def clean_bereavement_document(self):
        return self._clean_document("bereavement_document")

    # Rules across fields

    def clean(self):
        data = super().clean()
        bereaved = bool(data.get("bereaved") or data.get("bereaved_relationship"))
        _check_kinds(self, data, bereaved=bereaved)
        kinds = set(data.get("kinds") or ())
        agent = data.get("filer") not in (None, "", Request.Filer.SELF)
        if bereaved:
            for name in ("bereaved_relationship", "bereaved_name", "bereaved_name_kana"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, BEREAVED_REQUIRED % {"label": self.fields[name].label})
        if agent:
            for name in ("agent_name", "agent_name_kana", "agent_relationship", "agent_phone"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        _("代理人が請求するときは「%(label)s」を入力してください。")
                        % {"label": self.fields[name].label},
                    )
        if Kind.DISCLOSURE in kinds and not data.get("method"):
            self.add_error("method", _("開示を請求するときは、開示の方法を選んでください。"))
        if data.get("include_provision_records") and Kind.DISCLOSURE not in kinds:
            self.add_error(
                "include_provision_records",
                _("第三者提供記録は開示の請求に含めるものです。「開示」も選んでください。"),
            )
        if kinds & STOP_KINDS and not data.get("grounds"):
            # APPI Art. 35(1), (3), (5): the request states what the society did wrong.
            self.add_error(
                "grounds", _("利用停止・消去・第三者提供の停止を求める理由を書いてください。")
            )
        if (
            data.get("period_from")
            and data.get("period_until")
            and data["period_from"] > data["period_until"]
        ):
            self.add_error("period_until", _("「まで」は「から」と同じか後の日付にしてください。"))
        self._clean_corrections(data, Kind.CORRECTION in kinds)
        self._require_documents(agent, bereaved)
        return data

    def _clean_corrections(self, data, wanted: bool) -> None:
        rows = []
        for row in range(1, CORRECTION_ROWS + 1):
            names = [f"correction_{part}_{row}" for part in ("item", "current", "requested")]
            values = [data.get(name, "") for name in names]
            if any(values) and not (values[0] and values[2]):
                self.add_error(
                    names[0] if not values[0] else names[2],
                    _("訂正等を求める項目と、正しい内容の両方を書いてください。"),
                )
            elif all((values[0], values[2])):
                rows.append(dict(zip(("item", "current", "requested"), values, strict=True)))
        if wanted and not rows and not self.errors.get("correction_item_1"):
            self.add_error(
                "correction_item_1",
                _("訂正・追加・削除を請求するときは、項目と正しい内容を書いてください。"),
            )
        data["corrections"] = rows

    def _require_documents(self, agent: bool, bereaved: bool) -> None:
        if not self.documents_required:
            return
        kept = self.kept_uploads()
        required = ["identity_document"]
        if agent:
            required += ["agent_identity_document", "authority_document"]
        if bereaved:
            required.append("bereavement_document")
        for name in required:
            role = self.DOCUMENT_FIELDS[name]
            if not self.cleaned_data.get(name) and role not in kept and name not in self.errors:
                self.add_error(
                    name,
                    _("「%(label)s」のファイルを選んでください。")
                    % {"label": self.fields[name].label},
                )

    # Output

    FIELDS = (
        "filer",
        "agent_name",
        "agent_name_kana",
        "agent_relationship",
        "agent_address",
        "agent_phone",
        "bereaved_relationship",
        "bereaved_name",
        "bereaved_name_kana",
        "institution_consent",
        "member_symbol",
        "member_number",
        "member_branch",
        "name",
        "name_kana",
        "birth_date",
        "postal_code",
        "address",
        "phone",
        "email",
        "kinds",
        "include_provision_records",
        "period_from",
        "period_until",
        "method",
        "grounds",
        "corrections",
    )

    def filing(self) -> dict:
        """The arguments of `services.request_file` that come from the form."""
        data = self.cleaned_data
        # A field the page did not have (not needed for the kinds chosen) is filed empty.
        fields = {
            name: data[name] if name in data else self.base_fields[name].to_python("")
            for name in self.FIELDS
        }
        # Kinds in the order of the Act, whatever the order of the checkboxes sent.
        fields["kinds"] = [kind for kind in Kind.values if kind in data["kinds"]]
        if fields["filer"] == Request.Filer.SELF:
            fields.update(dict.fromkeys(AGENT_FIELDS, ""))
        if not fields["bereaved_relationship"]:
            fields.update(bereaved_name="", bereaved_name_kana="", institution_consent=False)
        return {
            "fields": fields,
            "categories": list(data.get("categories") or ()),
            "documents": self.kept_documents(),
        }

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the confirmation page, as they will be filed."""
        rows: list[tuple[str, str]] = []
        agent = self.cleaned_data["filer"] != Request.Filer.SELF
        for name in self.FIELDS:
            if name in AGENT_FIELDS and not agent:
                continue
            if name == "corrections":
                for row in self.cleaned_data["corrections"]:
                    rows.append(
                        (str(_("訂正等")), _("%(item)s：%(current)s → %(requested)s") % row)
                    )
                continue
            if name not in self.fields:
                continue
            field, value = self.fields[name], self.cleaned_data.get(name)
            if value in (None, "", [], False):
                continue
            if isinstance(field, forms.ChoiceField):
                choices = dict(cast(list[tuple[str, str]], field.choices))
                value = (
                    "、".join(str(choices[v]) for v in value)
                    if isinstance(value, list)
                    else choices[value]
                )
            elif value is True:
                value = _("はい")
            elif isinstance(value, datetime.date):
                value = format_wareki(value)
            rows.append((str(field.label), str(value)))
        if categories := self.cleaned_data.get("categories"):
            label = str(self.fields["categories"].label)
            rows.append((label, "、".join(c.name for c in categories)))
        for name, role in self.DOCUMENT_FIELDS.items():
            if role in self.kept_uploads():
                rows.append((str(self.fields[name].label), str(_("提出済み"))))
        return rows


class StaffRequestForm(RequestForm):
    """A request received on paper, at the counter or by phone, entered by staff."""

    channel = forms.ChoiceField(
        label=_("受付方法"),
        choices=[c for c in Request.Channel.choices if c[0] != Request.Channel.WEB],
    )
    received_on = JapaneseDateField(label=_("受付日"))

    SECTIONS: tuple[tuple[str | Promise, tuple[str, ...]], ...] = (
        (_("受付"), ("channel", "received_on")),
        *RequestForm.SECTIONS,
    )
    # Every field at once: staff copy a paper form, which has them all.
    TWO_STEP = False

    def __init__(self, *args, **kwargs):
        # Documents shown at the counter are checked there; scans may be attached.
        super().__init__(*args, documents_required=False, **kwargs)
        # A 遺族 開示依頼 is one whose relationship to the deceased is given.
        del self.fields["narrow"], self.fields["bereaved"]
        self.fields["bereaved_relationship"].choices = [
            ("", _("（遺族からの依頼のときに選ぶ）")),
            *Request.Bereaved.choices,
        ]


class RequestChoiceForm(forms.Form):
    """The public form's first step: who files and what they ask for, which decide the fields
    of the form's page (`RequestForm`, whose fields these are)."""

    filer = RequestForm.base_fields["filer"]
    kinds = RequestForm.base_fields["kinds"]
    narrow = RequestForm.base_fields["narrow"]
    bereaved = RequestForm.base_fields["bereaved"]

    def clean(self):
        data = super().clean()
        _check_kinds(self, data, bereaved=bool(data.get("bereaved")))
        return data


def _check_kinds(form: forms.Form, data: dict, *, bereaved: bool) -> None:
    """A request asks for one kind or more; the bereaved for the receipts' disclosure alone
    (the MHLW notice), which `kinds` then says."""
    kinds = list(data.get("kinds") or ())
    if "kinds" in form.errors:
        return
    if bereaved and set(kinds) - {Kind.DISCLOSURE}:
        form.add_error(
            "kinds",
            _(
                "遺族として依頼できるのは、亡くなった加入者の診療報酬明細書等の開示だけです。"
                "請求の種類の選択を外してください。"
            ),
        )
    elif bereaved:
        data["kinds"] = [Kind.DISCLOSURE]
    elif not kinds:
        form.add_error("kinds", _("請求の種類を1つ以上選んでください。"))
