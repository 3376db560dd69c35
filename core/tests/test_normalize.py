import datetime

import pytest

from core.normalize import normalize_code, normalize_kana, normalize_text, parse_date


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
