"""Charts: inline SVG drawn on the server from the table beside it, no script, no inline
style (the CSP forbids both), printable."""

import re

import pytest
from django.utils import timezone

from reports.charts import draw
from reports.tables import Chart, Table

from .conftest import jst, next_working_day, period_query

pytestmark = pytest.mark.django_db


def test_bars_scale_to_the_largest_value():
    drawing = draw(Table("t", ("a", "b"), [("x", 10), ("y", 5)], Chart.BARS))

    assert [bar.label for bar in drawing.bars] == ["x", "y"]
    assert float(drawing.bars[0].width) == 2 * float(drawing.bars[1].width)


def test_a_table_without_rows_or_chart_draws_nothing():
    assert draw(Table("t", ("a", "b"), [], Chart.LINE)) is None
    assert draw(Table("t", ("a", "b"), [("x", 1)])) is None


def test_the_pages_draw_svg_beside_their_tables_without_script_or_style(
    as_auditor, read, handler_kenshin, kenshin_and_receipt
):
    today = timezone.localdate()
    day = next_working_day(today)
    read(handler_kenshin, jst(day, 10), purpose="checkup-reminder")

    html = as_auditor.get(f"/reports/access/?{period_query(today, day)}").content.decode()

    assert html.count("<svg") >= 4
    labelled = re.findall(r'aria-labelledby="(caption-\d+)"', html)
    assert labelled and all(f'<caption id="{c}">' in html for c in labelled)
    assert "<script" not in html
    assert "style=" not in html
    assert "<polyline" in html and "<rect" in html
