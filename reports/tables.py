"""What every report is made of: tables of figures, one chart drawn from some of them.

A report page, its CSV and its PDF are all rendered from the same `Report`, so an export
shows exactly the figures of the page. Cells hold counts, ids, codes, staff names and
dates, never a member's personal value.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .period import Period

Cell = str | int | float | datetime.date | datetime.datetime | None


class Chart(StrEnum):
    BARS = "bars"  # bars by label: the first column against `value_column`
    LINE = "line"  # a trend: dates in the first column against `value_column`


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]
    chart: Chart | None = None
    value_column: int = 1
    # Per row, the event list behind it (the page links the row's first cell; exports don't).
    links: list[str | None] = field(default_factory=list)
    note: str = ""

    def link(self, index: int) -> str | None:
        return self.links[index] if index < len(self.links) else None


@dataclass(frozen=True)
class Report:
    name: str  # the route's short name, also what the trail records
    title: str
    period: Period
    tables: list[Table]
    # Whether the figures are of the period (a certificate of one run is not: no period shown).
    periodic: bool = True
