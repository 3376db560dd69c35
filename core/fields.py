"""Form fields and form behaviour of the public pages, for requests and for complaints.

What people type is normalised (`core.normalize`) in each field's `to_python`, so every
validator sees "１２３" as "123" and "やまだ" as "ヤマダ", while a page shown again with
errors keeps what was typed. `SectionsMixin` lays a form out in fieldsets, each with its legend.
Help texts and errors need nothing here to reach a screen reader: Django ties them to the input
(aria-describedby, aria-invalid) with the ids that `forms/_field.html` gives them, and leaves a
group of radios or checkboxes to its fieldset.
"""

import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .mynumber import refuse_my_number
from .normalize import normalize_code, normalize_phone, normalize_text, read_date

# A 郵便番号 once normalised (`normalize_postal_code`): the public forms' and the register's.
valid_postal_code = RegexValidator(
    r"^\d{3}-?\d{4}$", _("郵便番号は 123-4567 のように7桁で入力してください。")
)


def normalize_lines(value: str) -> str:
    """`normalize_text` for each line of a multi-line answer, keeping the line breaks."""
    return "\n".join(normalize_text(line) for line in value.splitlines()).strip()


class NormalizedCharField(forms.CharField):
    """A text field whose value is normalised (by default `normalize_text`) before validation.
    It refuses a 個人番号 (`core.mynumber`): Kumiai keeps none."""

    normalizer = staticmethod(normalize_text)
    default_validators = [refuse_my_number]

    def __init__(self, *, normalizer=None, **kwargs):
        if normalizer is not None:
            self.normalizer = normalizer
        super().__init__(**kwargs)

    def to_python(self, value):
        return self.normalizer(super().to_python(value))


class CodeField(NormalizedCharField):
    """An identifier typed by a person (記号, 番号, 郵便番号): `normalize_code`, no spaces."""

    normalizer = staticmethod(normalize_code)


class PhoneField(NormalizedCharField):
    """A phone number as people write it (03(1234)5678, full-width): `normalize_phone`."""

    normalizer = staticmethod(normalize_phone)


class NormalizedEmailField(forms.EmailField):
    def to_python(self, value):
        return normalize_code(super().to_python(value))


class JapaneseDateField(forms.Field):
    """A date typed as 1980-01-02, 1980/1/2, 1980年1月2日, 昭和55年1月2日 or S55.1.2, in any
    width (`core.normalize.read_date`). The message names the field and the accepted forms."""

    widget = forms.TextInput

    def to_python(self, value):
        if not normalize_text(value or ""):
            return None
        if (day := read_date(value)) is None:
            raise forms.ValidationError(date_format_message(self.label), code="invalid")
        return day

    def prepare_value(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else value


def date_format_message(label) -> str:
    """「生年月日は 1985-06-20 または 昭和60年6月20日 の形で入力してください。」"""
    return _(
        "%(label)sは 1985-06-20 または 昭和60年6月20日（S60.6.20）の形で入力してください。"
    ) % {"label": label or _("日付")}


class SectionsMixin:
    """A form whose page is a fieldset per section: `SECTIONS` holds (legend, field names) in
    the order of the page, and `sections()` gives each legend with its bound fields."""

    SECTIONS: tuple = ()

    def sections(self):
        for legend, names in self.SECTIONS:
            yield legend, [self[name] for name in names]

    def order_by_sections(self) -> None:
        """Put the fields in the page's order (fields added in `__init__` come last otherwise),
        so that the error summary lists the mistakes as the page shows them."""
        assert isinstance(self, forms.BaseForm), "SectionsMixin goes on a form"
        self.order_fields([name for _legend, names in self.SECTIONS for name in names])
