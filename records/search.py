"""The staff's search for members: what they type, normalised as the stored values are.

Members are stored normalised (`records.services.members`, the import): フリガナ in
full-width katakana, 記号・番号・枝番 as half-width codes. A search term goes through the
same functions (`core.normalize`), so 「すずき」「ｽｽﾞｷ」「スズキ」 all find スズキ, and
「１００１－１」「1001-1」「1001-1-00」 find 記号 1001 番号 1 (枝番 00). Pure: it builds a
`Q` for a queryset the caller already has from the gate, and reads nothing itself.
"""

import re

from django.db.models import F, Q, Value
from django.db.models.functions import Length, Replace
from django.db.models.lookups import IContains

from core.normalize import normalize_code, normalize_kana, normalize_text

# Dashes people type between 記号, 番号 and 枝番 (hyphen, minus, full-width, long-vowel mark).
_DASHES = re.compile(r"[\u002d\u2010-\u2015\u2212\u30fc\uff0d\uff70]")
_INSURANCE_ID = re.compile(r"^([0-9A-Za-z]+)-([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?$")


def insurance_id(term: str) -> tuple[str, str, str | None] | None:
    """(記号, 番号, 枝番 or None) of a term shaped 記号-番号(-枝番), as typed; None otherwise."""
    match = _INSURANCE_ID.match(_DASHES.sub("-", normalize_code(normalize_text(term))))
    return None if match is None else (match[1], match[2], match[3])


def member_query(term: str, prefix: str = "") -> Q | None:
    """The members `term` names, as a `Q` on `prefix` (``"member__"`` from a record); None
    for an empty term. A term shaped 記号-番号(-枝番) matches those fields exactly; any
    other matches part of the name or of the フリガナ (spaces aside), or a whole 記号 or 番号.
    """
    text = normalize_text(term)
    if not text:
        return None
    if parsed := insurance_id(text):
        symbol, number, branch = parsed
        exact = {f"{prefix}symbol": symbol, f"{prefix}number": number}
        if branch is not None:
            exact[f"{prefix}branch"] = branch
        return Q(**exact)
    code = normalize_code(text)
    return (
        Q(**{f"{prefix}symbol": code})
        | Q(**{f"{prefix}number": code})
        | _contains_ignoring_spaces(f"{prefix}name", text)
        | _contains_ignoring_spaces(f"{prefix}name_kana", normalize_kana(text))
    )


def _contains_ignoring_spaces(field: str, text: str) -> IContains:
    """`field` holds `text`, spaces left out of both (「すずきいちろう」 finds スズキ イチロウ)."""
    return IContains(Replace(F(field), Value(" "), Value("")), text.replace(" ", ""))


def natural_order(prefix: str = "") -> tuple:
    """記号-番号-枝番 in numeric order (1001-1, 1001-11, 1001-104), for codes without leading
    zeros: a shorter code first, then the code itself, as an ORDER BY."""
    return (
        Length(f"{prefix}symbol").asc(),
        f"{prefix}symbol",
        Length(f"{prefix}number").asc(),
        f"{prefix}number",
        f"{prefix}branch",
    )
