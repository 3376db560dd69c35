"""The complaint form: one set of fields and rules for the public page and the admin.

What people type is normalised (the fields of core.fields) before it is validated, so that
full-width digits, a full-width @ or a full-width space never make an entry fail. The prose
(what happened, what they want) is kept as written: it is the complainant's own account.
Nothing here tells the public whether a 記号・番号 or a receipt number exists.
"""

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.fields import (
    CodeField,
    NormalizedCharField,
    NormalizedEmailField,
    PhoneField,
    SectionsMixin,
)

from .models import Complaint

# Control characters other than tab and line breaks: never part of what someone meant to say,
# and PostgreSQL refuses NUL in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

digits_only = RegexValidator(r"^[0-9]+$", _("半角または全角の数字で入力してください。"))
phone_number = RegexValidator(
    r"^\+?[0-9][0-9-]{8,18}[0-9]$",
    _("電話番号は 03-1234-5678 のように数字とハイフンで入力してください。"),
)


class ProseField(NormalizedCharField):
    """The complainant's own account, kept as written but for control characters."""

    normalizer = staticmethod(lambda value: _CONTROL.sub("", value).strip())


class ComplaintForm(SectionsMixin, forms.ModelForm):
    """The public form's fields and rules; the admin adds the channel and the time received."""

    # The sections of the page, each rendered as a fieldset with this legend.
    SECTIONS = (
        (_("申し出る方について"), ("anonymous", "name", "email", "phone", "address")),
        (_("健康保険の加入者の方"), ("is_member", "member_symbol", "member_number")),
        (_("申出の対象"), ("subject", "category", "request_receipt_number")),
        (_("申出の内容"), ("what_happened", "what_wanted")),
    )

    class Meta:
        model = Complaint
        fields: tuple[str, ...] = (
            "anonymous",
            "name",
            "email",
            "phone",
            "address",
            "is_member",
            "member_symbol",
            "member_number",
            "subject",
            "category",
            "request_receipt_number",
            "what_happened",
            "what_wanted",
        )
        labels = {
            "anonymous": _("名前を伏せて申し出る（匿名）"),
            "is_member": _("加入者（被保険者・被扶養者）です"),
            "member_symbol": _("保険証の記号"),
            "member_number": _("保険証の番号"),
            "category": _("関係する個人情報の種類"),
            "request_receipt_number": _("関係する開示等の請求の受付番号"),
            "what_happened": _("どのようなことがありましたか"),
            "what_wanted": _("組合に求めること"),
        }
        help_texts = {
            "anonymous": _(
                "匿名の場合、連絡先は任意です。回答を希望される場合は連絡先をご記入ください。"
            ),
            "name": _("匿名でない場合は必須です。"),
            "email": _("受付番号と照会用の番号をお送りします。"),
            "phone": _("例：03-1234-5678"),
            "member_symbol": _("お分かりになる場合のみ。全角数字でも入力できます。"),
            "member_number": _("お分かりになる場合のみ。全角数字でも入力できます。"),
            "request_receipt_number": _(
                "請求に関する苦情の場合、お分かりになれば入力してください。"
            ),
            "what_happened": _("いつ、どこで、何があったかをお書きください。"),
        }
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 8}),
            "what_wanted": forms.Textarea(attrs={"rows": 4}),
            "subject": forms.RadioSelect,
        }
        field_classes = {
            "name": NormalizedCharField,
            "email": NormalizedEmailField,
            "phone": PhoneField,
            "address": NormalizedCharField,
            "member_symbol": CodeField,
            "member_number": CodeField,
            "request_receipt_number": CodeField,
            "what_happened": ProseField,
            "what_wanted": ProseField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_symbol"].validators.append(digits_only)
        self.fields["member_number"].validators.append(digits_only)
        self.fields["phone"].validators.append(phone_number)
        self.fields["category"].empty_label = _("分からない・該当しない")
        self.fields["subject"].choices = Complaint.Subject.choices
        for field in self.fields.values():
            # A browser cuts a pasted text at maxlength without a word; the server says what
            # is too long instead, and nothing the complainant wrote is lost unseen.
            field.widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("anonymous"):
            if not cleaned.get("name"):
                self.add_error(
                    "name", _("お名前を入力してください（匿名の場合は「匿名」を選んでください）。")
                )
            if not any(cleaned.get(f) for f in ("email", "phone", "address")):
                self.add_error(
                    "email",
                    _(
                        "回答をお送りするため、メールアドレス、電話番号、住所のいずれかを入力してください。"
                    ),
                )
        if cleaned.get("member_number") and not cleaned.get("member_symbol"):
            self.add_error("member_symbol", _("番号と一緒に記号も入力してください。"))
        return cleaned


class StaffComplaintForm(ComplaintForm):
    """A complaint taken by phone, by letter or at the counter, entered by the desk."""

    channel = forms.TypedChoiceField(
        label=_("受付方法"),
        choices=[c for c in Complaint.Channel.choices if c[0] != Complaint.Channel.WEB],
    )

    class Meta(ComplaintForm.Meta):
        fields = ("channel", "received_at", *ComplaintForm.Meta.fields)
