"""The period: the current fiscal year from April 1 (Asia/Tokyo) unless chosen, validated."""

import datetime

import pytest

from reports.period import fiscal_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)),
        (datetime.date(2027, 3, 31), datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)),
        (datetime.date(2026, 1, 15), datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)),
    ],
)
def test_the_default_is_the_fiscal_year_of_today(today, start, end):
    assert (fiscal_year(today).start, fiscal_year(today).end) == (start, end)


def test_the_page_opens_on_the_current_fiscal_year(as_auditor):
    from core import deadlines

    page = as_auditor.get("/reports/")

    expected = fiscal_year(deadlines.today())
    assert page.context["report"].period == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-05-01&end=2026-04-01", "開始日は終了日以前の日付にしてください。"),
        ("start=2024-04-01&end=2026-03-31", "期間は400日以内にしてください。"),
        ("start=2026-04-01&end=いつか", "日付を正しく入力してください。"),
    ],
)
def test_a_bad_period_is_refused_with_a_message(as_auditor, query, message):
    response = as_auditor.get(f"/reports/access/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
