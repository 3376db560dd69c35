import datetime

import pytest

from core.wareki import format_wareki, parse_japanese_date


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2019, 4, 30), "平成31年4月30日"),
        (datetime.date(2019, 5, 1), "令和元年5月1日"),
        (datetime.date(2019, 12, 31), "令和元年12月31日"),
        (datetime.date(2020, 1, 1), "令和2年1月1日"),
        (datetime.date(2026, 4, 1), "令和8年4月1日"),
        (datetime.date(1989, 1, 7), "昭和64年1月7日"),
        (datetime.date(1989, 1, 8), "平成元年1月8日"),
        (datetime.date(1926, 12, 24), "大正15年12月24日"),
        (datetime.date(1926, 12, 25), "昭和元年12月25日"),
    ],
)
def test_it_formats_and_reads_back_era_dates(day, text):
    assert format_wareki(day) == text
    assert parse_japanese_date(text) == day


def test_it_reads_a_western_date_written_in_kanji():
    assert parse_japanese_date("1980年1月2日") == datetime.date(1980, 1, 2)


@pytest.mark.parametrize(
    "text", ["平成31年5月1日", "令和元年4月30日", "昭和65年1月1日", "令和2年2月30日", "明日"]
)
def test_it_refuses_a_date_outside_its_era_or_not_a_date(text):
    with pytest.raises(ValueError):
        parse_japanese_date(text)
