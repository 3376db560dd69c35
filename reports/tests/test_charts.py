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
    assert [bar.width for bar in drawing.bars] == ["100.0", "50.0"]


def test_a_bar_keeps_its_whole_label():
    label = "法令に基づく例外：人の生命、身体又は財産の保護のために必要がある場合"
    [bar] = draw(Table("t", ("a", "b"), [(label, 3)], Chart.BARS)).bars

    assert bar.label == label


def test_a_one_day_trend_draws_its_day_as_a_point_with_its_date():
    day = timezone.localdate()
    drawing = draw(Table("t", ("a", "b"), [(day, 7)], Chart.LINE))

    [point] = drawing.markers
    assert float(point.y) < drawing.baseline  # above the axis: something is drawn
    assert drawing.left < float(point.x) < drawing.right
    assert drawing.middle == str(day) and drawing.top == "7"


def test_a_trend_marks_every_day():
    rows = [(f"2026-04-0{n}", n) for n in range(1, 4)]
    drawing = draw(Table("t", ("a", "b"), rows, Chart.LINE))

    assert len(drawing.markers) == 3
    assert drawing.markers[0].x == f"{drawing.left:.1f}"
    assert drawing.markers[-1].x == f"{drawing.right:.1f}"


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

    assert html.count('role="img"') >= 4
    labelled = re.findall(r'aria-labelledby="(caption-\d+)"', html)
    assert labelled and all(f'<caption id="{c}">' in html for c in labelled)
    assert "<script" not in html
    assert "style=" not in html
    assert "<polyline" in html and "<rect" in html and "<circle" in html
