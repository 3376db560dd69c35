"""Japanese-era (和暦) dates: formatting for letters, reading dates written the Japanese way.

Pure functions, no database. Letters carry 令和 dates; members often give a birth date as
"昭和55年1月2日". The eras start on the day the new era began (平成 on 1989-01-08,
令和 on 2019-05-01); the first year of an era is written 元年.
"""

import datetime
import re

# (name, first day), newest first: the first era whose start is on or before a date is its era.
ERAS = (
    ("令和", datetime.date(2019, 5, 1)),
    ("平成", datetime.date(1989, 1, 8)),
    ("昭和", datetime.date(1926, 12, 25)),
    ("大正", datetime.date(1912, 7, 30)),
    ("明治", datetime.date(1868, 10, 23)),
)

_WAREKI = re.compile(
    r"^(明治|大正|昭和|平成|令和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"
)
# The era as its initial letter or first kanji, then year, month and day by dots, slashes or
# hyphens: S60.6.20, H1/1/8, R2-3-4, 昭60.6.20 (as members and core systems write them).
_ABBREVIATED = re.compile(
    r"^([MTSHR明大昭平令])\s*(元|\d{1,2})\s*([./-])\s*(\d{1,2})\s*\3\s*(\d{1,2})$",
    re.IGNORECASE,
)
_ERA_INITIALS = {
    "M": "明治",
    "T": "大正",
    "S": "昭和",
    "H": "平成",
    "R": "令和",
    "明": "明治",
    "大": "大正",
    "昭": "昭和",
    "平": "平成",
    "令": "令和",
}
_SEIREKI = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def era_of(day: datetime.date) -> tuple[str, int]:
    """The era's name and the year within it."""
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"{day} is before the 明治 era")


def format_wareki(day: datetime.date) -> str:
    """令和元年5月1日, 令和8年4月1日."""
    name, year = era_of(day)
    return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def parse_japanese_date(text: str) -> datetime.date:
    """A date written 昭和55年1月2日, S55.1.2, H1/1/8 or 1980年1月2日 (already NFKC); numeric
    forms such as 1980-01-02 are `core.normalize.parse_date`'s.

    Raises ValueError for anything else, or a 和暦 date outside its era (平成31年5月1日).
    """
    text = text.strip()
    if match := _WAREKI.match(text):
        return _era_date(text, *match.groups())
    if match := _ABBREVIATED.match(text):
        initial, year, _separator, month, day = match.groups()
        return _era_date(text, _ERA_INITIALS[initial.upper()], year, month, day)
    if match := _SEIREKI.match(text):
        return datetime.date(*(int(part) for part in match.groups()))
    raise ValueError(f"{text} is not a date")


def _era_date(text: str, era: str, year: str, month: str, day: str) -> datetime.date:
    start = dict(ERAS)[era]
    result = datetime.date(
        start.year + (1 if year == "元" else int(year)) - 1, int(month), int(day)
    )
    if era_of(result)[0] != era:
        raise ValueError(f"{text} is outside the {era} era")
    return result
