"""What names a person in text that staff or the public typed, found and removed (消去, APPI
Art. 35).

A person's name, フリガナ, 記号・番号, phone number, e-mail address and address reach free
text: a complaint that names her, an anonymous one that does, the staff's answer to it, the
reason typed for a statutory read, the admin's history. `Person` holds those values as she
filed them and finds them however they were typed (full-width or half-width, hiragana or
katakana, with or without spaces or dashes); `redact` replaces each with a note of what was
there (「［消去済み：氏名］」), so that the text still reads and says what was removed.

Pure functions: no database, no Django.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

import jaconv

from .normalize import fold_name, normalize_code, normalize_text

_GAP = r"[\s\u3000]*"
_SEPARATORS = r"[\s\u3000\-\u2010-\u2015\u2212\u30fc\uff0d()（）]*"
# A number stands alone: not inside a longer number, nor inside a token of letters and digits
# (a session key, a hash), in either width.
_ALNUM = r"0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_NO_DIGIT_BEFORE = rf"(?<![{_ALNUM}])"
_NO_DIGIT_AFTER = rf"(?![{_ALNUM}])"


def _forms(c: str) -> set[str]:
    """`c` (normalised) in any width and, for kana, as hiragana or katakana: every text the
    matcher takes for it."""
    forms = {c}
    if "!" <= c <= "~":
        forms.add(chr(ord(c) + 0xFEE0))
        forms |= {c.lower(), c.upper()}
    forms |= {jaconv.kata2hira(c), jaconv.hira2kata(c)}
    forms |= {jaconv.z2h(form, kana=True, ascii=False, digit=False) for form in set(forms)}
    return forms


def _char(c: str) -> str:
    forms = _forms(c)
    return "(?:" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + ")"


def _uncased(forms: frozenset[str]) -> bool:
    # The patterns ignore case, and Unicode's case folding reaches further than lower() and
    # upper() show (K and the Kelvin sign): a letter's forms are not all the texts it matches.
    return all(form.lower() == form == form.upper() for form in forms)


# How many characters of a value the prefilter asks for (`Person.needles`): enough to be
# selective (a number's distinct digits, all of them), few enough that the SQL stays short.
NEEDLES_PER_VALUE = 10


def _words(value: str) -> str:
    """A name or an address: its characters with any spacing between them."""
    chars = normalize_text(value).replace(" ", "")
    return _GAP.join(_char(c) for c in chars)


def _digits(value: str) -> str:
    """A number (phone, 記号・番号): its digits with any separators between them."""
    digits = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value))
    return _SEPARATORS.join(_char(c) for c in digits)


@dataclass(frozen=True)
class Person:
    """The values that name one person, as she (or whoever filed about her) typed them."""

    names: frozenset[str] = frozenset()
    kana: frozenset[str] = frozenset()
    # (記号, 番号, 枝番), the 枝番 empty where the filing asked none.
    numbers: frozenset[tuple[str, str, str]] = frozenset()
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()

    def plus(self, **values: Iterable) -> "Person":
        """This person with more values (a filing's), the empty ones left out."""
        return replace(
            self,
            **{
                name: getattr(self, name) | {v for v in more if v and any(v)}
                for name, more in values.items()
            },
        )

    @cached_property
    def patterns(self) -> tuple[tuple[str, re.Pattern], ...]:
        return tuple(
            (label, re.compile(pattern, re.IGNORECASE)) for label, pattern, _held in self._values
        )

    @cached_property
    def needles(self) -> tuple[tuple[frozenset[str], ...], ...] | None:
        """What a text must hold for any pattern to match it, for a prefilter in SQL: per
        value, a few of its characters, each as the set of its forms; a text that holds, for
        some value, one form of each of that value's characters may match, and no other can.
        Taken from the same characters and forms as the patterns, so it never leaves out a
        text they would find. None where a value has no character free of case (an e-mail
        address of letters alone): then no prefilter is safe, and every text is read."""
        needles = []
        for _label, _pattern, chars in self._values:
            usable = [forms for forms in dict.fromkeys(chars) if _uncased(forms)]
            if not usable:
                return None
            needles.append(tuple(usable[:NEEDLES_PER_VALUE]))
        return tuple(needles)

    @cached_property
    def _values(self) -> tuple[tuple[str, str, tuple[frozenset[str], ...]], ...]:
        """(label, pattern, the characters every match holds, each as the set of its forms)."""
        found: list[tuple[str, str, tuple[frozenset[str], ...]]] = []
        # The longest first: an address may hold a number that is no 記号・番号.
        for label, values, pattern in (
            ("住所", self.addresses, _words),
            ("メールアドレス", self.emails, lambda value: re.escape(normalize_code(value))),
            ("氏名", self.names, _words),
            ("フリガナ", self.kana, _words),
            ("電話番号", self.phones, _digits),
        ):
            for value in sorted({normalize_text(v) for v in values}):
                # A single character would strike every text that shares it.
                if len(value.replace(" ", "")) >= 2 and (label != "電話番号" or len(value) >= 6):
                    found.append((label, pattern(value), _chars(label, value)))
        for symbol, number, branch in sorted(self.numbers):
            # 記号-番号-枝番 as one, or the 番号 alone: it names one card.
            full = f"(?:{_digits(symbol)}{_SEPARATORS})?{_digits(number)}"
            if branch:
                full += f"(?:{_SEPARATORS}{_digits(branch)})?"
            found.append(
                ("記号・番号", _NO_DIGIT_BEFORE + full + _NO_DIGIT_AFTER, _chars("番号", number))
            )
        return tuple(found)

    def found_in(self, text: str) -> list[str]:
        """The labels of what `text` holds of the person, in the order declared."""
        labels: list[str] = []
        for label, pattern in self.patterns:
            if label not in labels and pattern.search(text or ""):
                labels.append(label)
        return labels

    def redact(self, text: str) -> tuple[str, list[str]]:
        """`text` with each value of the person replaced by 「［消去済み：label］」, and the
        labels of what was removed."""
        removed: list[str] = []
        for label, pattern in self.patterns:
            text, count = pattern.subn(note(label), text or "")
            if count and label not in removed:
                removed.append(label)
        return text, removed


@dataclass(frozen=True)
class Identity:
    """Who a filing says it is about, normalised for comparing: the 記号・番号 as
    "記号-番号-枝番" (or "記号-番号" where the form asks no 枝番)."""

    name: str = ""
    kana: str = ""
    birth_date: datetime.date | None = None
    number: str = ""

    @classmethod
    def of(cls, *, name="", kana="", birth_date=None, symbol="", number="", branch=None):
        parts = [normalize_code(symbol), normalize_code(number)]
        if branch is not None:
            parts.append(normalize_code(branch))
        return cls(
            name=fold_name(name),
            kana=fold_name(kana),
            birth_date=birth_date,
            number="-".join(parts) if parts[1] else "",
        )

    def compare(self, filed: "Identity") -> tuple[list[str], list[str]]:
        """What of `filed` agrees with this identity and what differs (Japanese labels); what
        the filing does not say is neither."""
        matched: list[str] = []
        differs: list[str] = []
        number = "-".join(self.number.split("-")[: len(filed.number.split("-"))])
        for label, mine, theirs in (
            ("氏名", self.name, filed.name),
            ("フリガナ", self.kana, filed.kana),
            ("生年月日", self.birth_date, filed.birth_date),
            ("記号・番号", number, filed.number),
        ):
            if mine and theirs:
                (matched if mine == theirs else differs).append(label)
        return matched, differs


@dataclass(frozen=True)
class Candidate:
    """A filing that may be the person's, by what it says rather than by a link: listed for
    the privacy officer to confirm before it is erased. `key` is "app.model:id"."""

    key: str
    kind: str
    receipt: str
    state: str
    received_at: datetime.datetime
    shown: tuple[tuple[str, str], ...]
    matched: tuple[str, ...]
    differs: tuple[str, ...]


def _chars(label: str, value: str) -> tuple[frozenset[str], ...]:
    """The characters every match of `value`'s pattern holds, each as the set of texts the
    pattern takes for it (`_words`, `_digits`, the e-mail address as it is)."""
    if label == "メールアドレス":
        return tuple(frozenset({c}) for c in normalize_code(value))
    if label in ("電話番号", "番号"):
        chars = re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", value))
    else:
        chars = normalize_text(value).replace(" ", "")
    return tuple(frozenset(_forms(c)) for c in chars)


def note(label: str) -> str:
    return f"［消去済み：{label}］"
