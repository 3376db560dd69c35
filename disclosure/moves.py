"""The pages of the staff's moves on a request that are more than the bare transition, and
the steps beside them, for `core.admin.WorkflowAdminMixin`: the form that asks for what
each needs, and the operation it calls.

Each `perform` is one call of `disclosure.services`; who may, and whether the state allows
it, is theirs and the workflow's to answer (a refusal is an exception with a Japanese
message, which the admin shows). Forms that list the member's records read them through
the gate (`services.gather`), on the statutory path.
"""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core import wareki
from core.admin import MoveForm, Page, Step
from core.fields import CodeField, JapaneseDateField
from purposes.models import Category, Purpose
from records import payload_schemas
from records.models import Member, Protection
from safeguards.approvals import ApprovalPending

from . import erasure, identity, package, services
from .delivery import NO_ADDRESS, NO_POSTING_DAY, holds_sensitive, registered_address
from .models import CASE_PARAGRAPHS, CASES, GROUNDS, STOP_KINDS, DecisionItem, Kind, Request

State = Request.State
# A post office's tracking number: digits, sometimes with hyphens.
_tracking = RegexValidator(
    r"^[0-9][0-9-]{0,18}[0-9]$", _("追跡番号は 1234-5678-9012 のように数字で入力してください。")
)


class MatchForm(MoveForm):
    """照合: the member whose 記号・番号・枝番 and birth date the request gives, beside what the
    request says of them; a difference of 氏名 or フリガナ asks for the identity document's
    check, and a dependent's data asked for by the insured person is refused
    (`disclosure.identity`)."""

    member = forms.TypedChoiceField(label=_("照合した加入者"), coerce=int)
    identity_document_checked = forms.BooleanField(
        label=_(
            "氏名・フリガナが登録と異なることについて、本人確認書類で本人であることを確かめました"
        ),
        required=False,
    )

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        self.filed = obj
        self.candidates = {m.pk: m for m in services.identity_candidates(request=obj, by=user)}
        # The officer sees why a request on a protected member's behalf is refused at 照合.
        note = (
            _(
                "（保護措置あり：代理人・遺族からの請求のため、照合すると保護措置に触れない通知書で却下します）"
            )
            if obj.on_behalf
            else _("（保護措置あり：本人からの請求です）")
        )
        protected = dict.fromkeys(Protection.objects.member_ids(self.candidates), note)
        cast(forms.ChoiceField, self.fields["member"]).choices = [
            (pk, f"{member} {member.name}{_died(member)}{protected.get(pk, '')}")
            for pk, member in self.candidates.items()
        ]
        if not self.candidates:
            self.fields["member"].help_text = _(
                "記号・番号・枝番と生年月日が一致する加入者がいません。追加書類を依頼してください。"
            )
        self.differences = {
            pk: identity.name_differences(obj, member) for pk, member in self.candidates.items()
        }
        self.refusals = {
            pk: refusal
            for pk, member in self.candidates.items()
            if (refusal := identity.household_refusal(obj, member, by=user))
        }
        self.mismatched = {pk for pk, fields in self.differences.items() if fields}
        if not self.mismatched:
            del self.fields["identity_document_checked"]

    def comparisons(self) -> list[tuple[Member, list[tuple[str, str, str, bool]], str | None]]:
        """Each candidate with, for 氏名 and フリガナ, (label, as filed, as registered,
        differs), and why it cannot be matched as 本人, if so."""
        labels = {"name": _("氏名"), "name_kana": _("フリガナ")}
        return [
            (
                member,
                [
                    (
                        str(labels[field]),
                        getattr(self.filed, field),
                        getattr(member, field),
                        field in self.differences[pk],
                    )
                    for field in identity.NAME_FIELDS
                ],
                self.refusals.get(pk),
            )
            for pk, member in self.candidates.items()
        ]

    def clean(self):
        data = super().clean()
        pk = data.get("member")
        if pk in self.refusals:
            self.add_error("member", self.refusals[pk])
        elif self.differences.get(pk) and not data.get("identity_document_checked"):
            self.add_error("identity_document_checked", identity.MISMATCH_UNCHECKED)
        return data


def _died(member) -> str:
    if member.died_on is None:
        return ""
    return _("（死亡日 %(died)s）") % {"died": wareki.format_wareki(member.died_on)}


class ExtendForm(MoveForm):
    days = forms.IntegerField(label=_("延長する日数"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("延長の理由"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(MoveForm):
    paid_on = JapaneseDateField(label=_("納付日"))


class ConsultationForm(MoveForm):
    """The question to one medical institution about several receipts, and its answer."""

    institution = forms.CharField(label=_("医療機関"), max_length=200)
    receipts = forms.TypedMultipleChoiceField(
        label=_("照会するレセプト"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    asked_on = JapaneseDateField(label=_("照会日"))
    answered_on = JapaneseDateField(label=_("回答日"), required=False)
    hinders_care = forms.NullBooleanField(
        label=_("診療上の支障"),
        widget=forms.Select(
            choices=[("unknown", _("回答待ち")), ("true", _("支障あり")), ("false", _("支障なし"))]
        ),
    )
    note = forms.CharField(
        label=_("回答の内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        asked = {c.record_id: c for c in obj.consultations.all()}
        choices = []
        for record in services.gather(request=obj, by=user):
            if record.category.code != services.RECEIPTS:
                continue
            label = f"{wareki.format_wareki(record.date)} {record.title}"
            if consulted := asked.get(record.pk):
                label += _("（%(institution)s に照会済み・%(answer)s）") % {
                    "institution": consulted.institution,
                    "answer": _("回答待ち") if consulted.answered_on is None else _("回答あり"),
                }
            choices.append((record.pk, label))
        cast(forms.ChoiceField, self.fields["receipts"]).choices = choices
        if not choices:
            self.fields["receipts"].help_text = _("照会の対象になるレセプトはありません。")

    def clean(self):
        data = super().clean()
        asked, answered = data.get("asked_on"), data.get("answered_on")
        if asked and answered and answered < asked:
            self.add_error("answered_on", _("回答日は照会日と同じか後の日付にしてください。"))
        if data.get("hinders_care") is not None and not answered:
            self.add_error("answered_on", _("支障の有無を記録するときは回答日も書いてください。"))
        return data


def _refusal_explained(form: forms.Form, data: dict, refusal: str) -> None:
    """A refusal names its ground and its reason (APPI Art. 36), in the words of its row."""
    if not data.get("ground") and "ground" not in form.errors:
        form.add_error("ground", _("%(refusal)s根拠を選んでください。") % {"refusal": refusal})
    if not (data.get("reason") or "").strip():
        form.add_error(
            "reason", _("%(refusal)s理由を書いてください（法第36条）。") % {"refusal": refusal}
        )


class DecisionRow(forms.Form):
    """One requested item and its decision; the kind (and what was asked) is fixed by the
    request, never chosen here. A refusal needs its ground and reason (APPI Art. 36), and
    only the grounds of the item's kind are offered (`models.GROUNDS`). An Art. 35 item
    names the case the member invokes, a 利用停止 may be limited to one purpose, and the
    proviso of Art. 35(2), (4), (6) takes an alternative measure; the rules across fields are
    the item's own (`DecisionItem.clean`), shown beside the field they concern."""

    granted = forms.TypedChoiceField(
        label=_("決定"),
        choices=[("yes", _("認める")), ("no", _("認めない"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    case = forms.ChoiceField(label=_("請求の事由（法第35条）"), required=False)
    category = forms.ModelChoiceField(
        label=_("対象の類型"),
        queryset=Category.objects.order_by("order"),
        required=False,
        empty_label=_("すべての類型"),
    )
    purpose = forms.ModelChoiceField(
        label=_("利用停止する利用目的"),
        queryset=Purpose.objects.all(),
        required=False,
        empty_label=_("すべての利用目的"),
    )
    record_id = forms.TypedChoiceField(
        label=_("訂正する記録"), coerce=int, required=False, empty_value=None
    )
    correction = forms.ChoiceField(
        label=_("訂正等の種類"),
        choices=DecisionItem.Correction.choices,
        initial=DecisionItem.Correction.CORRECT,
        required=False,  # 訂正, unless chosen
        help_text=_("削除で項目を書かないときは、選んだ記録を削除します。"),
    )
    field = forms.CharField(label=_("項目（記録の項目名）"), max_length=64, required=False)
    new_value = forms.CharField(label=_("訂正・追加後の内容"), required=False)
    ground = forms.ChoiceField(label=_("認めない根拠"), required=False)
    retention_law = forms.CharField(
        label=_("保存を義務付ける法令・条項"),
        max_length=200,
        required=False,
        help_text=_("「法令により保存が義務付けられている」のとき。一覧から選ぶか入力します。"),
    )
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    alternative_measure = forms.CharField(
        label=_("代替措置（法第35条第2項・第4項・第6項ただし書）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("「多額の費用を要する場合その他の困難な場合」のとき、代わりにとる措置。"),
    )
    whole_confirmed = forms.BooleanField(
        label=_(
            "類型も記録も選ばない消去は、加入者のすべて（加入者の情報を含む）を消去します。確認しました"
        ),
        required=False,
    )

    def __init__(
        self,
        *args,
        kind: str,
        asked: dict | None,
        grounds: str,
        request: Request,
        records,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind, self.asked = Kind(kind), asked
        # What the request holds, read through the gate: a retention refusal is checked on it.
        self.request, self.records = request, records
        # What the member wrote (Art. 35): the officer reads the case from it.
        self.grounds = grounds if self.kind in STOP_KINDS else ""
        cast(forms.ChoiceField, self.fields["ground"]).choices = [
            ("", _("（認めない場合に選ぶ）")),
            *((ground.value, ground.label) for ground in GROUNDS[self.kind]),
        ]
        self.fields["ground"].error_messages["invalid_choice"] = _(
            "%(kind)sの請求を認めない根拠として選べるものから選んでください。"
        ) % {"kind": self.kind.label}
        if self.kind in STOP_KINDS:
            cast(forms.ChoiceField, self.fields["case"]).choices = [
                ("", _("（選ぶ）")),
                *(
                    (str(paragraph), [(c.value, c.label) for c in cases if c in CASES[self.kind]])
                    for paragraph, cases in CASE_PARAGRAPHS
                    if set(cases) & set(CASES[self.kind])
                ),
            ]
            self.fields["case"].error_messages["invalid_choice"] = _(
                "%(kind)sの請求の事由として選べるものから選んでください（法第35条）。"
            ) % {"kind": self.kind.label}
        else:
            del self.fields["case"], self.fields["alternative_measure"]
        if self.kind not in STOP_KINDS:
            del self.fields["category"]
        if self.kind == Kind.ERASURE:
            cast(forms.ModelChoiceField, self.fields["category"]).empty_label = _(
                "（類型を選ばない）"
            )
            self.fields["record_id"].label = _("消去する記録")
            # The laws the register names for its categories' retention, to pick from.
            self.retention_laws = sorted(
                {basis for basis in Category.objects.values_list("retention_basis", flat=True)}
                - {""}
            )
            self.fields["retention_law"].widget.attrs["list"] = self.retention_laws_id
        else:
            del self.fields["whole_confirmed"], self.fields["retention_law"]
            self.retention_laws = []
        if self.kind != Kind.SUSPENSION:
            # 第三者提供の停止 stops provision whatever the purpose (records.Restriction).
            del self.fields["purpose"]
        if self.kind in (Kind.CORRECTION, Kind.ERASURE):
            cast(forms.ChoiceField, self.fields["record_id"]).choices = [("", _("（選ぶ）"))] + [
                (
                    record.pk,
                    f"{record.category.name}：{wareki.format_wareki(record.date)} {record.title}",
                )
                for record in records
            ]
        else:
            del self.fields["record_id"]
        if self.kind != Kind.CORRECTION:
            del self.fields["correction"], self.fields["field"], self.fields["new_value"]

    @property
    def label(self) -> str:
        return str(self.kind.label)

    @property
    def retention_laws_id(self) -> str:
        return f"{self.prefix}-retention-laws"

    def clean(self):
        data = super().clean()
        if data.get("granted") is False:
            _refusal_explained(self, data, _("認めない"))
        whole_record = data.get("correction") == DecisionItem.Correction.DELETE
        correcting = data.get("granted") and self.kind == Kind.CORRECTION
        if correcting and data.get("record_id") and not data.get("field") and not whole_record:
            self.add_error("field", _("訂正・追加する項目名を書いてください。"))
        if "granted" in data:
            try:
                item = DecisionItem(**self.item())
                item.clean()
                services.check_retention_refusal(item, request=self.request, held=self.records)
            except ValidationError as invalid:
                for name, messages in invalid.message_dict.items():
                    if name not in self.errors:  # one message per field, its own first
                        self.add_error(name if name in self.fields else None, messages)
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        refused = not data["granted"]
        return {
            "kind": self.kind,
            "granted": data["granted"],
            "case": data.get("case", ""),
            "category": data.get("category"),
            "purpose": data.get("purpose"),
            "record_id": data.get("record_id"),
            "correction": data.get("correction") or DecisionItem.Correction.CORRECT,
            "field": data.get("field", ""),
            "new_value": data.get("new_value", ""),
            # What belongs to a refusal goes with it when the officer grants after all.
            "ground": data.get("ground", "") if refused else "",
            "retention_law": data.get("retention_law", "") if refused else "",
            "reason": data.get("reason", ""),
            "alternative_measure": data.get("alternative_measure", "") if refused else "",
            "whole_confirmed": data.get("whole_confirmed", False),
        }


class AddedRow(DecisionRow):
    """A further item of an Art. 35 kind (APPI Art. 35, Art. 36): the officer grants or refuses
    the stop or erasure for one category, record or purpose apart from the request's first row,
    each with its own case, ground and reason. A row left without a decision is no item: the
    page offers a few, and only those filled in are decided."""

    UNDECIDED = _("この明細を認めるか認めないかを選んでください。")
    UNTARGETED = _(
        "追加の明細では、類型・記録・利用目的のいずれかを選んでください（すべてについての"
        "決定は最初の欄で行います）。"
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.number = number  # among its kind's added rows, from 1
        granted = cast(forms.TypedChoiceField, self.fields["granted"])
        granted.required, granted.initial, granted.empty_value = False, None, None
        # What the member wrote is shown once, above the first row.
        self.grounds = ""
        # An added row names a part; the whole member is the first row's to erase.
        self.fields.pop("whole_confirmed", None)
        for name in ("category", "purpose"):
            if name in self.fields:
                cast(forms.ModelChoiceField, self.fields[name]).empty_label = _("（選ぶ）")

    def clean(self):
        data = self.cleaned_data
        targets = [data.get(name) for name in ("category", "record_id", "purpose")]
        if data.get("granted") is None:
            said = ("case", "ground", "retention_law", "reason", "alternative_measure")
            if "granted" not in self.errors and (
                any(targets) or any(data.get(name) for name in said)
            ):
                self.add_error("granted", self.UNDECIDED)
            return data
        if not any(targets):
            self.add_error("category", self.UNTARGETED)
            return data
        return super().clean()

    def item(self) -> dict | None:  # type: ignore[override]
        if self.cleaned_data.get("granted") is None:
            return None
        return super().item()


class ProvisionRow(forms.Form):
    """One 第三者提供記録 that the disclosure holds (an Art. 29 record, `package.
    provisions_disclosed`): disclosed, or withheld on a ground of Art. 33(2), which Art. 33(5)
    applies to these records, with its reason (Art. 36)."""

    Ground = DecisionItem.Ground
    granted = forms.TypedChoiceField(
        label=_("決定"),
        choices=[("yes", _("開示する")), ("no", _("開示しない"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    ground = forms.ChoiceField(
        label=_("開示しない根拠"),
        choices=[
            ("", _("（開示しない場合に選ぶ）")),
            *((g.value, g.label) for g in (Ground.HARM, Ground.BUSINESS, Ground.OTHER_LAW)),
        ],
        required=False,
    )
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, provision, **kwargs):
        super().__init__(*args, **kwargs)
        self.provision = provision

    @property
    def label(self) -> str:
        p = self.provision
        return _("%(day)s %(recipient)s（%(category)s）") % {
            "day": wareki.format_wareki(p.provided_on),
            "recipient": p.recipient,
            "category": p.category.name,
        }

    def clean(self):
        data = super().clean()
        if data.get("granted") is False:
            _refusal_explained(self, data, _("開示しない"))
        return data

    def item(self) -> dict | None:
        """The refused item of a withheld provision; a disclosed one goes with the disclosure."""
        data = self.cleaned_data
        if data["granted"]:
            return None
        return {
            "kind": Kind.DISCLOSURE,
            "granted": False,
            "provision_id": self.provision.pk,
            "ground": data["ground"],
            "reason": data["reason"],
        }


class WithheldRow(forms.Form):
    """Part of a disclosure withheld (APPI Art. 33(2)): a whole category, one record, or one
    field of a record, with its ground and reason (Art. 36). A row left without a target is
    no item: the page offers a few, and only those filled in are decided."""

    target = forms.ChoiceField(label=_("開示しない類型・記録"), required=False)
    field = forms.ChoiceField(
        label=_("項目（記録の一部だけ開示しないとき）"),
        required=False,
        help_text=_("選ばないときは記録全体を開示しません。"),
    )
    ground = forms.ChoiceField(
        label=_("開示しない根拠"),
        choices=ProvisionRow.base_fields["ground"].choices,  # type: ignore[attr-defined]
        required=False,
    )
    reason = ProvisionRow.base_fields["reason"]

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {record.pk: record for record in records}
        categories = {record.category_id: record.category for record in records}
        cast(forms.ChoiceField, self.fields["target"]).choices = [
            ("", _("（開示しないものがあるときに選ぶ）")),
            (
                str(_("類型の全体")),
                [(f"c:{pk}", category.name) for pk, category in categories.items()],
            ),
            (
                str(_("記録")),
                [
                    (
                        f"r:{record.pk}",
                        f"{record.category.name}：{wareki.format_wareki(record.date)} "
                        f"{record.title}",
                    )
                    for record in records
                ],
            ),
        ]
        fields = {
            key: f"{record.category.name}：{title}"
            for record in records
            for key, title in payload_schemas.titles(record.category.code).items()
        }
        cast(forms.ChoiceField, self.fields["field"]).choices = [
            ("", _("（記録全体）")),
            *sorted(fields.items(), key=lambda choice: choice[1]),
        ]

    def clean(self):
        data = super().clean()
        target = data.get("target") or ""
        if not target:
            if data.get("field") or data.get("ground") or data.get("reason"):
                self.add_error("target", _("開示しない類型か記録を選んでください。"))
            return data
        kind, _sep, pk = target.partition(":")
        if data.get("field"):
            record = self.records.get(int(pk)) if kind == "r" else None
            if record is None:
                self.add_error("field", _("項目を選ぶときは、類型ではなく記録を選んでください。"))
            elif data["field"] not in payload_schemas.titles(record.category.code):
                self.add_error("field", _("選んだ記録の類型にない項目です。"))
        _refusal_explained(self, data, _("開示しない"))
        return data

    def item(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("target"):
            return None
        kind, _sep, pk = data["target"].partition(":")
        record = self.records.get(int(pk)) if kind == "r" else None
        category = (
            record.category
            if record
            else next(r.category for r in self.records.values() if r.category_id == int(pk))
        )
        return {
            "kind": Kind.DISCLOSURE,
            "granted": False,
            "category": category,
            "record_id": record.pk if record else None,
            "field": data.get("field", "") if record else "",
            "ground": data["ground"],
            "reason": data["reason"],
        }


class ReceiptRow(forms.Form):
    """One of a deceased member's receipts, for the bereaved (the MHLW notice): disclosed, or
    withheld on the notice's ground with its reason; each is an item of its own."""

    granted = ProvisionRow.base_fields["granted"]
    ground = forms.ChoiceField(
        label=_("開示しない根拠"),
        choices=[
            ("", _("（開示しない場合に選ぶ）")),
            (DecisionItem.Ground.BEREAVED.value, DecisionItem.Ground.BEREAVED.label),
        ],
        required=False,
    )
    reason = ProvisionRow.base_fields["reason"]
    asked = None

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record

    @property
    def label(self) -> str:
        return _("診療報酬明細書等：%(day)s %(title)s") % {
            "day": wareki.format_wareki(self.record.date),
            "title": self.record.title,
        }

    def clean(self):
        data = super().clean()
        if data.get("granted") is False:
            _refusal_explained(self, data, _("開示しない"))
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": Kind.DISCLOSURE,
            "granted": data["granted"],
            "category": self.record.category,
            "record_id": self.record.pk,
            "ground": "" if data["granted"] else data["ground"],
            "reason": data["reason"],
        }


# How many parts of a disclosure the page offers to withhold at once.
WITHHELD_ROWS = 3
# How many further items of each Art. 35 kind the page offers beside the first, to begin
# with; the officer adds one at a time (「行を追加」, `ADD_ROW`), up to `MAX_ADDED_ROWS` a kind,
# so that a crafted count cannot make the page build rows without end.
ADDED_ROWS = 2
MAX_ADDED_ROWS = 50
# The name of the 「行を追加」 buttons; the value is the kind a row is added to.
ADD_ROW = "_add_row"
ROWS_NOT_DRAWN = _(
    "画面にない明細の欄が送られたため、決定しませんでした。「決定する」から開き直してください。"
)
ROWS_FULL = _("追加の明細は、種類ごとに%(max)d行までです。")
NO_ROWS_TO_ADD = _("この請求には、行を追加できる利用停止・消去・第三者提供の停止がありません。")


def _kept(form: forms.Form, data) -> None:
    """Show what `data` holds for `form` on a form left unbound: the page redrawn with a row
    added keeps what was typed, and decides nothing (an unbound form is never valid)."""
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        if value is not None:
            form.initial[name] = value


def _count_name(kind: str) -> str:
    """The hidden field that carries how many added rows of `kind` the page drew."""
    return f"added-{kind}-rows"


class DecideForm(MoveForm):
    """The decision: one row per requested item, each kind once and each requested correction
    on its own row (APPI Art. 33(2) grounds and Art. 36 reasons), and added rows for the Art.
    35 kinds, as many as the officer adds. A POST that presses 「行を追加」 draws the page again
    with what was typed and one more row of that kind, and decides nothing."""

    reasons = forms.CharField(
        label=_("理由（決定全体）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, data=None, *, obj: Request, user):
        adding = data is not None and ADD_ROW in data
        super().__init__(None if adding else data, obj=obj, user=user)
        self.rows: list[DecisionRow | ReceiptRow] = []
        self.provisions: list[ProvisionRow] = []
        self.withheld: list[WithheldRow] = []
        self.added_kinds: list[tuple[Kind, int, list[AddedRow]]] = []
        # What is wrong with the rows sent or asked for, shown above the added rows.
        self.row_errors: list[str] = []
        self.no_receipts = False
        self._draw(None if adding else data, obj=obj, user=user, counts=self._counts(data, obj))
        if adding:
            for form in (self, *self.rows, *self.added, *self.provisions, *self.withheld):
                _kept(form, data)
        elif data is not None:
            # APPI Art. 35, Art. 36: every item the officer filled in is decided, or none is.
            drawn = self._drawn_names()
            if any(key.startswith("added-") and key not in drawn for key in data):
                self._refuse_rows(ROWS_NOT_DRAWN)

    @property
    def added(self) -> list[AddedRow]:
        return [row for _kind, _count, rows in self.added_kinds for row in rows]

    def _refuse_rows(self, message) -> None:
        if str(message) not in self.row_errors:
            self.row_errors.append(str(message))

    def _counts(self, data, obj: Request) -> dict[Kind, int]:
        """How many added rows of each Art. 35 kind to draw: as many as the page drew (its
        hidden count), one more of the kind whose 「行を追加」 was pressed, never past the cap."""
        stops = [Kind(kind) for kind in obj.kinds if kind in STOP_KINDS and not obj.is_bereaved]
        counts = dict.fromkeys(stops, ADDED_ROWS)
        if data is None:
            return counts
        for kind in stops:
            sent = data.get(_count_name(kind))
            if sent is None:  # a page drawn before rows could be added
                continue
            try:
                count = int(sent)
            except ValueError:
                count = -1
            if ADDED_ROWS <= count <= MAX_ADDED_ROWS:
                counts[kind] = count
            else:
                self._refuse_rows(ROWS_NOT_DRAWN)
        if (more := data.get(ADD_ROW)) is not None:
            if more not in counts:
                self._refuse_rows(NO_ROWS_TO_ADD)
            elif counts[Kind(more)] >= MAX_ADDED_ROWS:
                self._refuse_rows(ROWS_FULL % {"max": MAX_ADDED_ROWS})
            else:
                counts[Kind(more)] += 1
        return counts

    def _draw(self, data, *, obj: Request, user, counts: dict[Kind, int]) -> None:
        if obj.is_bereaved:
            # The MHLW notice: the deceased's receipts, each granted or refused; none held,
            # and the answer is that there is nothing to disclose (never an APPI row).
            receipts = services.gather(request=obj, by=user)
            self.rows = [
                ReceiptRow(data, prefix=f"receipts-{record.pk}", record=record)
                for record in receipts
            ]
            self.no_receipts = not receipts
            return
        asked = [(kind, None) for kind in obj.kinds if kind != Kind.CORRECTION]
        records = []
        if {Kind.CORRECTION, Kind.ERASURE, Kind.DISCLOSURE} & set(obj.kinds):
            records = services.gather(request=obj, by=user)
        if Kind.DISCLOSURE in obj.kinds and records:
            # APPI Art. 33(2): what of the disclosure is withheld, a few rows to fill in.
            self.withheld = [
                WithheldRow(data, prefix=f"withheld-{number}", records=records)
                for number in range(WITHHELD_ROWS)
            ]
        if Kind.CORRECTION in obj.kinds:
            asked += [(Kind.CORRECTION, row) for row in obj.corrections] or [
                (Kind.CORRECTION, None)
            ]
        for number, (kind, row) in enumerate(asked):
            initial: dict[str, str] = {"new_value": row["requested"]} if row else {}
            self.rows.append(
                DecisionRow(
                    data,
                    prefix=f"items-{number}",
                    kind=kind,
                    asked=row,
                    grounds=obj.grounds,
                    request=obj,
                    records=records,
                    initial=initial,
                )
            )
        # APPI Art. 35: an Art. 35 kind decided apart for a category, a record or a purpose.
        self.added_kinds = [
            (
                kind,
                count,
                [
                    AddedRow(
                        data,
                        prefix=f"added-{kind}-{number}",
                        kind=kind,
                        asked=None,
                        grounds="",
                        request=obj,
                        records=records,
                        number=number + 1,
                    )
                    for number in range(count)
                ],
            )
            for kind, count in counts.items()
        ]
        # APPI Art. 33(5): the provision records asked for, each disclosed unless withheld.
        self.provisions += [
            ProvisionRow(data, prefix=f"provisions-{provision.pk}", provision=provision)
            for provision in (
                package.provisions_disclosed(obj, user) if Kind.DISCLOSURE in obj.kinds else ()
            )
        ]

    def _drawn_names(self) -> set[str]:
        """The names of the added rows' fields and counts that this page draws."""
        return {_count_name(kind) for kind, _count, _rows in self.added_kinds} | {
            row.add_prefix(name) for row in self.added for name in row.fields
        }

    def is_valid(self):
        rows = [*self.rows, *self.added, *self.provisions, *self.withheld]
        return all([super().is_valid(), not self.row_errors, *(row.is_valid() for row in rows)])

    def decided_items(self) -> list[dict]:
        parts = [
            *(row.item() for row in self.added),
            *(row.item() for row in self.withheld),
            *(row.item() for row in self.provisions),
        ]
        if self.no_receipts:
            item = services.NO_RECEIPTS_ITEM
            return [{**item, "reason": str(item["reason"])}]
        return [row.item() for row in self.rows] + [item for item in parts if item]


class CarryOutForm(MoveForm):
    """実施: where the whole member is erased, the officer answers for each filing that may be
    the member's without being linked to them (`erasure.candidates_for`): the member's, and it
    is erased with them, or another person's, and it stays. Where the package holds
    要配慮個人情報, the officer chooses how it goes (`disclosure.delivery`)."""

    THEIRS, OTHER = "theirs", "other"

    delivery = forms.ChoiceField(
        label=_("開示データの交付方法"),
        choices=Request.Delivery.choices,
        initial=Request.Delivery.DOWNLOAD,
        widget=forms.RadioSelect,
        required=False,  # the download, unless the post is chosen
    )
    posted_on = JapaneseDateField(
        label=_("発送日"), required=False, help_text=_("本人限定受取郵便のとき")
    )
    tracking_number = CodeField(
        label=_("追跡番号"),
        max_length=20,
        required=False,
        validators=[_tracking],
        help_text=_("任意。例：1234-5678-9012"),
    )

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        self.candidates = erasure.candidates_for(obj, by=user)
        for number, candidate in enumerate(self.candidates):
            self.fields[f"candidate-{number}"] = forms.ChoiceField(
                label=_("%(kind)s %(receipt)s は")
                % {
                    "kind": candidate.kind,
                    "receipt": candidate.receipt,
                },
                choices=[
                    (self.THEIRS, _("本人のもの（一緒に消去する）")),
                    (self.OTHER, _("別人のもの（消去しない）")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("本人のものか別人のものかを選んでください。")},
            )
        # A package holding 要配慮個人情報 may go by 本人限定受取郵便 instead of the download.
        granted = obj.items.filter(granted=True, kind=Kind.DISCLOSURE).exists()
        self.sensitive = granted and holds_sensitive(services.gather(request=obj, by=user))
        self.registered_address = registered_address(obj) if self.sensitive else ""
        if not self.sensitive:
            for name in ("delivery", "posted_on", "tracking_number"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("delivery") == Request.Delivery.RESTRICTED_POST:
            if not self.registered_address:
                self.add_error("delivery", NO_ADDRESS)
            if not data.get("posted_on") and "posted_on" not in self.errors:
                self.add_error("posted_on", NO_POSTING_DAY)
        return data

    def delivery_choice(self) -> dict:
        """How the package goes, for `services.request_carry_out`."""
        data = self.cleaned_data
        if data.get("delivery") != Request.Delivery.RESTRICTED_POST:
            return {}
        return {
            "delivery": data["delivery"],
            "posted_on": data["posted_on"],
            "tracking_number": data.get("tracking_number", ""),
        }

    def rows(self):
        return [(c, self[f"candidate-{n}"]) for n, c in enumerate(self.candidates)]

    def answers(self) -> dict[str, bool]:
        return {
            candidate.key: self.cleaned_data[f"candidate-{number}"] == self.THEIRS
            for number, candidate in enumerate(self.candidates)
        }


# The moves that are more than the bare transition: each calls its operation.
PAGES: dict[str, Page] = {
    State.REVIEW: Page(
        lambda request, form, user: services.request_match(
            request=request,
            member=form.candidates[form.cleaned_data["member"]],
            by=user,
            identity_document_checked=form.cleaned_data.get("identity_document_checked", False),
        ),
        form=MatchForm,
        template="admin/disclosure/request/match.html",
    ),
    State.DECIDED: Page(
        lambda request, form, user: services.request_decide(
            request=request,
            items=form.decided_items(),
            reasons=form.cleaned_data["reasons"],
            by=user,
        ),
        form=DecideForm,
        template="admin/disclosure/request/decide.html",
    ),
    State.CARRIED_OUT: Page(
        lambda request, form, user: _carry_out(
            request=request, by=user, answers=form.answers(), **form.delivery_choice()
        ),
        form=CarryOutForm,
        template="admin/disclosure/request/carry_out.html",
    ),
    State.CLOSED: Page(
        lambda request, form, user: services.request_close(request=request, by=user)
    ),
}


def _carry_out(*, request: Request, by, **choices) -> Request:
    try:
        return services.request_carry_out(request=request, by=by, **choices)
    except ApprovalPending as pending:
        # Four eyes (a whole member's erasure, a package holding 要配慮個人情報): the carry-out
        # rolled back; the request for a second officer's approval is filed now, and kept.
        pending.file()
        raise


# What staff record on a request beside its moves.
STEPS: dict[str, Step] = {
    "consult": Step(
        _("医療機関への照会を記録する"),
        lambda request, form, user: services.consultation_record(
            request=request, by=user, **form.cleaned_data
        ),
        template="admin/disclosure/request/consult.html",
        form=ConsultationForm,
        available=lambda request: request.state == State.REVIEW,
    ),
    "extend": Step(
        _("回答期限を延長する"),
        lambda request, form, user: services.request_extend(
            request=request, by=user, **form.cleaned_data
        ),
        form=ExtendForm,
        available=lambda request: request.state in Request.ANSWER_PENDING_STATES,
    ),
    "pay": Step(
        _("手数料の納付を記録する"),
        lambda request, form, user: services.fee_record_payment(
            request=request, by=user, **form.cleaned_data
        ),
        form=PaymentForm,
        available=lambda request: bool(request.fee_yen) and request.fee_paid_on is None,
    ),
}
