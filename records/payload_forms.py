"""A record's content as form fields, one per item of its category's schema.

Staff edit a payload field by field, labelled in Japanese, each with the widget its type
asks for: a choice list for an enum, a date picker, a number keyboard for numbers, はい／
いいえ for a boolean, one line per entry for a list. The fields only collect what was typed:
normalising and validating stay in `records.payload_schemas` (the one place, shared with the
API and the import), whose Japanese messages are put beside the field they name.
"""

from django import forms
from django.utils.translation import gettext as _

from core.mynumber import refuse_my_number

from .payload_schemas import SCHEMAS, normalize_payload, problems

PREFIX = "payload_"


def field_name(key: str) -> str:
    return PREFIX + key


def _field(schema: dict, required: bool) -> forms.Field:
    field = _typed_field(schema, _(schema["title"]))
    # Required or not is the schema's to say (`problems`), in its own words: Django's
    # "required" would say it a second time.
    field.required = False
    field.validators.append(refuse_my_number)  # Kumiai keeps no 個人番号 (core.mynumber)
    if required:
        field.help_text = " ".join(filter(None, [_("必須"), str(field.help_text)]))
    return field


def _typed_field(schema: dict, label: str) -> forms.Field:
    kind = schema.get("type")
    if "enum" in schema:
        choices = [("", "---------"), *((value, value) for value in schema["enum"])]
        return forms.ChoiceField(label=label, choices=choices)
    if kind == "boolean":
        choices = [("", "---------"), ("はい", _("はい")), ("いいえ", _("いいえ"))]
        return forms.ChoiceField(label=label, choices=choices)
    if kind == "array":
        return forms.CharField(
            label=label,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("1行に1件"),
        )
    if schema.get("format") == "date":
        return forms.CharField(label=label, widget=forms.DateInput(attrs={"type": "date"}))
    if kind in ("integer", "number"):
        mode = "numeric" if kind == "integer" else "decimal"
        attrs = {"inputmode": mode, "class": "vIntegerField"}
        return forms.CharField(label=label, widget=forms.TextInput(attrs=attrs))
    # The length is the schema's to check too; the browser is only told of it.
    attrs = {"maxlength": schema["maxLength"]} if "maxLength" in schema else {}
    return forms.CharField(label=label, widget=forms.TextInput(attrs=attrs))


def fields_for(code: str) -> dict[str, forms.Field]:
    """The form fields of category `code`, named `payload_<key>`, in the schema's order."""
    schema = SCHEMAS.get(code, {})
    required = set(schema.get("required", ()))
    return {
        field_name(key): _field(property_schema, key in required)
        for key, property_schema in schema.get("properties", {}).items()
    }


def initial_for(code: str, payload: dict) -> dict[str, str]:
    """The stored payload as the fields show it."""
    properties = SCHEMAS.get(code, {}).get("properties", {})
    initial = {}
    for key, value in payload.items():
        if key not in properties:
            continue
        if isinstance(value, bool):
            value = "はい" if value else "いいえ"
        elif isinstance(value, list):
            value = "\n".join(str(item) for item in value)
        initial[field_name(key)] = str(value)
    return initial


def payload_from(form: forms.BaseForm, code: str) -> dict | None:
    """The payload the fields of `form` hold, normalised; each problem is added beside its
    field (`form.add_error`), and None is returned when there is any."""
    properties = SCHEMAS.get(code, {}).get("properties", {})
    typed = {}
    for key, schema in properties.items():
        value = form.cleaned_data.get(field_name(key), "")
        if schema.get("type") == "array":
            value = [line.strip() for line in value.splitlines() if line.strip()]
        typed[key] = value
    payload = normalize_payload(code, typed)
    found = problems(code, payload)
    for problem in found:
        name = field_name(problem.field)
        form.add_error(name if name in form.fields else None, problem.message)
    return None if found else payload
