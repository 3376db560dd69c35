"""The 個人番号 (My Number): Kumiai keeps none, and this module is what makes that true.

The society handles 個人番号 in its core systems only (番号法第9条 limits who may use it, and
Art. 20 forbids collecting or keeping it beyond those 個人番号利用事務); nothing typed into
Kumiai may carry one. A 個人番号 is twelve digits whose last is a check digit computed from
the other eleven (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令
第8条 and 総務省令「個人番号の指定等に関する省令」第5条), so a run of twelve digits with a
valid check digit is refused wherever a person types text, or masked where a refusal is
impossible (an import reports the rows it masked). One run in eleven of any twelve digits
passes the check: the refusal says so, and asks for the number to be left out.

What it holds: the check digit (`check_digit`, `is_my_number`), finding and masking such
numbers in text (`find`, `contains`, `mask`), the validator every typed field carries
(`refuse_my_number`), and `guard_models`, which installs that validator on the text fields
of the domain apps' models (the model validates in `full_clean`, so every admin form, every
service and every workflow move refuses). It never logs, stores or repeats the number.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Full-width digits to ASCII, and the dashes and spaces people put between groups of four
# (the card prints 1234 5678 9012) to one separator: character for character, so a match's
# span in the translated text is its span in the original.
_TRANSLATE = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        **dict.fromkeys(["\u3000", "\t"], " "),
        **dict.fromkeys(["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015"], "-"),
        **dict.fromkeys(["\u2212", "\uff0d", "\u30fc"], "-"),
    }
)
# Twelve digits, in one run or as 4-4-4 with one space or dash between groups, not part of a
# longer number (a card number of 16 digits, a phone number, an account number).
_CANDIDATE = re.compile(
    r"(?<![0-9])(?<![0-9][- ])([0-9]{4})[- ]?([0-9]{4})[- ]?([0-9]{4})(?![- ]?[0-9])"
)

MESSAGE = _(
    "個人番号（マイナンバー）と思われる12桁の番号が含まれています。当組合のこのシステムでは"
    "個人番号を取り扱いません。番号を削除してから、もう一度送信してください（個人番号ではない"
    "番号の場合は、1234-56-789012 のように区切りを変えて入力してください）。"
)
MASK = "*"


def check_digit(eleven: str) -> int:
    """The check digit of the eleven digits before it (省令第5条).

    P(n) is the n-th digit counted from the right of the eleven, Q(n) is n + 1 for n ≤ 6 and
    n − 5 for 7 ≤ n ≤ 11; with r the sum of P(n)·Q(n) modulo 11, the digit is 0 when r ≤ 1,
    else 11 − r.
    """
    if len(eleven) != 11 or not eleven.isascii() or not eleven.isdigit():
        raise ValueError("eleven ASCII digits")
    total = sum(
        int(digit) * (n + 1 if n <= 6 else n - 5) for n, digit in enumerate(reversed(eleven), 1)
    )
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(twelve: str) -> bool:
    """Whether `twelve` is twelve ASCII digits whose last is the check digit of the others."""
    return (
        len(twelve) == 12
        and twelve.isascii()
        and twelve.isdigit()
        and check_digit(twelve[:11]) == int(twelve[11])
    )


def find(text: str) -> list[tuple[int, int]]:
    """The spans of `text` that hold a 個人番号 (full-width digits and 4-4-4 groups included)."""
    translated = text.translate(_TRANSLATE)
    return [
        match.span()
        for match in _CANDIDATE.finditer(translated)
        if is_my_number("".join(match.groups()))
    ]


def _strings(value: Any) -> Iterable[str]:
    """Every text in a value: a string, a number, and what a JSON payload nests."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        yield str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def contains(value: Any) -> bool:
    """Whether `value` (a text, or a JSON payload) holds a 個人番号 anywhere."""
    return any(find(text) for text in _strings(value))


def mask(value: Any) -> Any:
    """`value` with every digit of each 個人番号 in it replaced by `MASK` (a payload's texts
    masked alike, its shape kept)."""
    if isinstance(value, str):
        translated, masked = value.translate(_TRANSLATE), list(value)
        for start, end in find(value):
            for i in range(start, end):
                if translated[i].isdigit():  # the separators stay
                    masked[i] = MASK
        return "".join(masked)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return mask(str(value)) if contains(value) else value
    if isinstance(value, dict):
        return {mask(key): mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value


def refuse_my_number(value: Any) -> None:
    """The validator of every text a person types: a 個人番号 in it is refused, in Japanese."""
    if contains(value):
        raise ValidationError(MESSAGE, code="my_number")


# The apps whose models hold what people type, and the fields of theirs that are no one's
# typing (digests, the source system's ids, file types) and may hold any twelve digits.
GUARDED_APPS = ("purposes", "safeguards", "records", "disclosure", "complaints")
MACHINE_FIELDS = frozenset({"sha256", "digest", "source_id", "content_type", "snapshot"})


def guarded_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of `model` that hold text a person typed: text and JSON fields that are
    editable, offer no fixed choices and are not machine-written."""
    if model._meta.proxy or model._meta.app_label not in GUARDED_APPS:
        return []
    return [
        field
        for field in model._meta.local_concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        and field.editable
        and not field.choices
        and field.name not in MACHINE_FIELDS
    ]


def guard_models(all_models: Iterable[type[models.Model]]) -> None:
    """Add `refuse_my_number` to every guarded field's validators (once, at start-up).

    It goes on the field's `default_validators`, not its `validators` argument, so that no
    migration records it; `full_clean`, model forms and DRF's model serializers read it."""
    for model in all_models:
        for field in guarded_fields(model):
            if refuse_my_number not in field.default_validators:
                field.default_validators = [*field.default_validators, refuse_my_number]
                # `validators` is a cached_property, which CharField's __init__ has read
                # already to add its MaxLengthValidator: added to, not dropped (dropping it
                # lost the length check, and a long value reached the database).
                if "validators" in field.__dict__:
                    field.__dict__["validators"].append(refuse_my_number)
