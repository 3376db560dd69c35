"""Normalisation of what people and core systems type, before it is validated or matched.

Members type full-width digits, hiragana and half-width katakana; core systems export them
too. Every entry point (the CSV import, the services, the public forms of `disclosure` and
`complaints`) normalises through these functions so that "１２３" and "123", or "やまだ" and
"ﾔﾏﾀﾞ", are the same value everywhere. Pure functions: no database, no Django.
"""

import datetime
import re
import unicodedata

import jaconv

from .wareki import parse_japanese_date

_SPACES = re.compile(r"\s+")
_DATE = re.compile(r"^([0-9]{4})[-/.]?([0-9]{1,2})[-/.]?([0-9]{1,2})$")
# A dash typed after a kana where the long-vowel mark was meant (サト－ for サトー).
# Brackets and dashes people put in a phone number: 03(1234)5678, (03)1234-5678, 03－1234－5678.
_PHONE_SEPARATORS = re.compile(r"[()\-\u2010-\u2015\u2212\u30fc\uff0d]+")
_DASH_AFTER_KANA = re.compile(r"(?<=[\u30a1-\u30fa\u30fc])[-\u2010-\u2015\u2212\uff0d]")


def normalize_text(value: str) -> str:
    """NFKC (full-width digits and letters to half-width, half-width katakana to full-width),
    runs of white space (the full-width space included) to one space, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def normalize_kana(value: str) -> str:
    """A フリガナ: `normalize_text`, then hiragana to katakana and dashes to the long-vowel mark."""
    return _DASH_AFTER_KANA.sub("ー", jaconv.hira2kata(normalize_text(value)))


def fold_name(value: str) -> str:
    """A name or a フリガナ as compared with another: `normalize_kana` (NFKC, so half-width
    katakana and full-width letters fold; hiragana to katakana) without any space, so that
    「やまだ　はなこ」, 「ﾔﾏﾀﾞ ﾊﾅｺ」 and 「ヤマダハナコ」 are one. 旧字体 are not folded."""
    return normalize_kana(value).replace(" ", "")


def normalize_code(value: str) -> str:
    """An identifier (記号, 番号, 口座番号, 医療機関コード): `normalize_text` without any space."""
    return normalize_text(value).replace(" ", "")


def normalize_postal_code(value: str) -> str:
    """A 郵便番号 as 123-4567, from 〒1234567, １２３－４５６７ or 123 4567; anything else as
    `normalize_code` leaves it, for the validator to name."""
    code = normalize_code(value).removeprefix("〒")
    digits = _PHONE_SEPARATORS.sub("", code)
    return f"{digits[:3]}-{digits[3:]}" if re.fullmatch(r"[0-9]{7}", digits) else code


def parse_date(value: str) -> datetime.date | None:
    """A date typed as 2024-04-01, 2024/4/1, 2024.04.01 or 20240401 (full-width too);
    None when it is not one, so that the caller can name the field in its message."""
    match = _DATE.match(normalize_code(value))
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def read_date(value: str) -> datetime.date | None:
    """A date as a person types it: `parse_date`'s numeric forms, or 昭和60年6月20日, S60.6.20,
    H1.1.8, 1985年6月20日 (`core.wareki.parse_japanese_date`), in any width; None otherwise."""
    text = normalize_text(value)
    if numeric := parse_date(text):
        return numeric
    try:
        return parse_japanese_date(text)
    except ValueError:
        return None


def normalize_phone(value: str) -> str:
    """A phone number: `normalize_code`, with brackets and any dash made one hyphen, so that
    「03(1234)5678」, 「（03）1234-5678」 and 「０３－１２３４－５６７８」 are 03-1234-5678."""
    return _PHONE_SEPARATORS.sub("-", normalize_code(value)).strip("-")
