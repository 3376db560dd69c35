import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.normalize import (
    normalize_code,
    normalize_kana,
    normalize_phone,
    normalize_text,
    parse_date,
    read_date,
)
from core.wareki import era_of, format_wareki


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  山田　　太郎 ", "山田 太郎"),
        ("ＡＢＣ１２３", "ABC123"),
        ("ｶﾌﾞｼｷｶﾞｲｼｬ", "カブシキガイシャ"),
    ],
)
def test_it_normalises_text_with_nfkc_and_trims(typed, expected):
    assert normalize_text(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("やまだ　たろう", "ヤマダ タロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("さとー", "サトー"),
        ("サト－", "サトー"),
        ("ゔぃおら", "ヴィオラ"),
    ],
)
def test_it_turns_hiragana_and_half_width_katakana_into_katakana(typed, expected):
    assert normalize_kana(typed) == expected


def test_it_normalises_a_code_without_spaces():
    assert normalize_code(" １００１ ２ ") == "10012"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-04-01", datetime.date(2026, 4, 1)),
        ("２０２６/４/１", datetime.date(2026, 4, 1)),
        ("20260401", datetime.date(2026, 4, 1)),
        ("2026-02-30", None),
        ("昨日", None),
    ],
)
def test_it_reads_dates_as_people_type_them(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("S60.6.20", datetime.date(1985, 6, 20)),
        ("s60/6/20", datetime.date(1985, 6, 20)),
        ("Ｓ６０．６．２０", datetime.date(1985, 6, 20)),
        ("昭和60年6月20日", datetime.date(1985, 6, 20)),
        ("昭和６０年６月２０日", datetime.date(1985, 6, 20)),
        ("昭60.6.20", datetime.date(1985, 6, 20)),
        ("H1.1.8", datetime.date(1989, 1, 8)),
        ("H元.1.8", datetime.date(1989, 1, 8)),
        ("R2.3.4", datetime.date(2020, 3, 4)),
        ("R2-3-4", datetime.date(2020, 3, 4)),
        ("1985-06-20", datetime.date(1985, 6, 20)),
        ("1985年6月20日", datetime.date(1985, 6, 20)),
        # Not a date, or a date outside its era: None, so the form can say the form to use.
        ("H1.1.7", None),  # 平成 began on 1989-01-08
        ("H31.5.1", None),  # 令和 by then
        ("S60.6/20", None),  # the separators differ
        ("X60.6.20", None),
        ("R2.2.30", None),
        ("1985年6月", None),
        ("", None),
    ],
)
def test_it_reads_birth_dates_as_members_write_them(typed, expected):
    assert read_date(typed) == expected


ERA_INITIALS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


@given(st.dates(min_value=datetime.date(1868, 10, 23), max_value=datetime.date(2099, 12, 31)))
def test_every_day_reads_back_from_its_era_abbreviation_and_its_kanji_form(day):
    era, year = era_of(day)
    abbreviated = f"{ERA_INITIALS[era]}{year}.{day.month}.{day.day}"
    assert read_date(abbreviated) == day
    assert read_date(format_wareki(day)) == day
    assert read_date(day.isoformat()) == day


@given(st.text(max_size=30))
def test_it_never_raises_on_what_is_typed(text):
    assert read_date(text) is None or isinstance(read_date(text), datetime.date)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("03(1234)5678", "03-1234-5678"),
        ("(03)1234-5678", "03-1234-5678"),
        ("（０３）１２３４－５６７８", "03-1234-5678"),
        ("０３－１２３４－５６７８", "03-1234-5678"),
        ("03‐1234‐5678", "03-1234-5678"),
        ("090 1234 5678", "09012345678"),
        ("0312345678", "0312345678"),
    ],
)
def test_it_reads_phone_numbers_with_brackets_and_full_width(typed, expected):
    assert normalize_phone(typed) == expected
