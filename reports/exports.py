"""A report as CSV (UTF-8 with a BOM, so that Excel reads the Japanese) and as a Japanese PDF
for the audit record. Both write the cells as `cell_text` writes them on the page.
"""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from core import spreadsheet
from core.pdf import paragraph, render
from core.wareki import format_wareki

from .tables import Cell, Report


def cell_text(cell: Cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, datetime.datetime):
        return timezone.localtime(cell).strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)


def period_text(report: Report) -> str:
    return _("対象期間：%(start)s から %(end)s まで") % {
        "start": format_wareki(report.period.start),
        "end": format_wareki(report.period.end),
    }


def as_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow([report.title])
    if report.periodic:
        writer.writerow([period_text(report)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows([cell_text(cell) for cell in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
    ]
)


def as_pdf(report: Report) -> bytes:
    flowables: list[Flowable] = [
        *([paragraph(period_text(report))] if report.periodic else []),
        paragraph(_("作成日時：%(at)s") % {"at": cell_text(timezone.now())}),
    ]
    for table in report.tables:
        flowables += [Spacer(1, 6 * mm), paragraph(f"■ {table.title}")]
        if table.note:
            flowables.append(paragraph(table.note))
        cells: list[list[Flowable | str]] = [[paragraph(c) for c in table.columns]]
        cells += [[paragraph(cell_text(c)) for c in row] for row in table.rows]
        style = _GRID
        if not table.rows:
            cells.append([paragraph(_("該当なし")), *[""] * (len(table.columns) - 1)])
            style = TableStyle([*_GRID.getCommands(), ("SPAN", (0, 1), (-1, 1))])
        grid = Table(cells, repeatRows=1)
        grid.setStyle(style)
        flowables.append(grid)
    return render(report.title, flowables)
