"""Charts as geometry for the page: bars by label and a trend line by day.

Drawn on the server, so a chart prints and needs no script; the template draws it with SVG
attributes and the classes of reports.css (the CSP forbids inline styles). A bar's label is
HTML text beside its bar, so it wraps and keeps the page's font size at any width; the trend
is a small SVG whose text stays readable on a phone. The table the chart is drawn from
stands beside it for screen readers.
"""

from dataclasses import dataclass

from .tables import Chart, Table

# The trend's drawing box: narrow, so that on a phone its 12px text is shown near 12px.
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 160, 44, 16, 12, 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    width: str  # percent of the longest bar


@dataclass(frozen=True)
class Point:
    x: str
    y: str


@dataclass(frozen=True)
class Drawing:
    kind: str
    bars: list[Bar]
    # The trend: its box, polyline, a marker per day, the scale's end, the axis' dates.
    width: int = WIDTH
    height: int = HEIGHT
    points: str = ""
    markers: tuple[Point, ...] = ()
    top: str = ""
    first: str = ""
    last: str = ""
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    middle: str = ""  # where the one day of a one-day trend stands


def draw(table: Table) -> Drawing | None:
    values = [_number(row[table.value_column]) for row in table.rows]
    if table.chart is None or not values:
        return None
    top = max(values) or 1
    if table.chart == Chart.BARS:
        bars = [
            Bar(str(row[0]), f"{value:g}", f"{value / top * 100:.1f}")
            for row, value in zip(table.rows, values, strict=True)
        ]
        return Drawing(Chart.BARS, bars)
    baseline, span = HEIGHT - BOTTOM, WIDTH - LEFT - RIGHT
    if len(values) == 1:  # one day: its point in the middle, its date under it
        xs = [LEFT + span / 2]
    else:
        xs = [LEFT + n * span / (len(values) - 1) for n in range(len(values))]
    markers = tuple(
        Point(f"{x:.1f}", f"{baseline - value / top * (baseline - TOP):.1f}")
        for x, value in zip(xs, values, strict=True)
    )
    first, last = str(table.rows[0][0]), str(table.rows[-1][0])
    return Drawing(
        Chart.LINE,
        [],
        points=" ".join(f"{m.x},{m.y}" for m in markers),
        markers=markers,
        top=f"{top:g}",
        first=first if len(values) > 1 else "",
        last=last if len(values) > 1 else "",
        middle=first if len(values) == 1 else "",
    )


def _number(cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0
