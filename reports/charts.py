"""Charts as geometry for inline SVG: bars by label and a trend line by day.

Drawn on the server, so a chart prints and needs no script; the template draws it with SVG
attributes and the classes of reports.css (the CSP forbids inline styles). The table the
chart is drawn from stands beside it for screen readers.
"""

from dataclasses import dataclass

from .tables import Chart, Table

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 640, 18, 6, 220
LINE_HEIGHT, MARGIN = 200, 40


@dataclass(frozen=True)
class Bar:
    y: int
    text_y: int
    width: str
    value_x: str
    label: str
    value: str


@dataclass(frozen=True)
class Drawing:
    kind: str
    width: int
    height: int
    bars: list[Bar]
    label_width: int
    points: str  # the polyline of a trend
    top: str  # the largest value: the scale's end
    first: str  # the first and last labels of a trend's axis
    last: str
    baseline: int
    right: int


def draw(table: Table) -> Drawing | None:
    values = [_number(row[table.value_column]) for row in table.rows]
    if table.chart is None or not values:
        return None
    top = max(values) or 1
    if table.chart == Chart.BARS:
        span = WIDTH - LABEL_WIDTH - MARGIN
        bars = []
        for n, (row, value) in enumerate(zip(table.rows, values, strict=True)):
            y, width = n * (BAR_HEIGHT + GAP), value / top * span
            bars.append(
                Bar(
                    y,
                    y + BAR_HEIGHT - 4,
                    f"{width:.1f}",
                    f"{LABEL_WIDTH + width + 4:.1f}",
                    str(row[0]),
                    f"{value:g}",
                )
            )
        height = len(bars) * (BAR_HEIGHT + GAP)
        return Drawing(
            Chart.BARS, WIDTH, height, bars, LABEL_WIDTH, "", f"{top:g}", "", "", height, WIDTH
        )
    step = (WIDTH - 2 * MARGIN) / max(len(values) - 1, 1)
    baseline = LINE_HEIGHT - MARGIN
    points = " ".join(
        f"{MARGIN + n * step:.1f},{baseline - value / top * (baseline - 10):.1f}"
        for n, value in enumerate(values)
    )
    first, last = str(table.rows[0][0]), str(table.rows[-1][0])
    return Drawing(
        Chart.LINE,
        WIDTH,
        LINE_HEIGHT,
        [],
        MARGIN,
        points,
        f"{top:g}",
        first,
        last,
        baseline,
        WIDTH - MARGIN,
    )


def _number(cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0
