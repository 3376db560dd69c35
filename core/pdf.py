"""The building blocks of Kumiai's Japanese PDFs: fonts, paragraph styles, tables and the A4
page, for the letters of `disclosure` and the exports of `reports` alike.

reportlab's built-in CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5) need no font file. Nothing
here knows what a document says: the callers put the words in.
"""

import functools
import io
import itertools
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    CondPageBreak,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable


class _Font(UnicodeCIDFont):
    """reportlab's CID font, its widths summed in C.

    reportlab measures every string it draws and every character it wraps, in a Python loop
    over the characters. The widths are the font's own (1 em for every character outside its
    table: the full-width kana and kanji).
    """

    def stringWidth(self, text, size, encoding=None):
        if isinstance(text, bytes):
            text = text.decode("utf8")
        return size * 0.001 * sum(map(self.unicodeWidths.get, text, itertools.repeat(1000)))


MINCHO, GOTHIC = "HeiseiMin-W3", "HeiseiKakuGo-W5"
for _font in (MINCHO, GOTHIC):
    pdfmetrics.registerFont(_Font(_font))

BODY = ParagraphStyle("body", fontName=MINCHO, fontSize=10.5, leading=17, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontName=GOTHIC, fontSize=15, alignment=1)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=2)
HEADING = ParagraphStyle("heading", parent=BODY, fontName=GOTHIC, spaceBefore=8)
_CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=11)
# Inside a cell's padding (reportlab's default is 6 points left and right).
_CELL_PADDING = 12
_TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), MINCHO, _CELL.fontSize, _CELL.leading),
        ("FONT", (0, 0), (-1, 0), GOTHIC, _CELL.fontSize, _CELL.leading),
        ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
    ]
)
# Rows per table of `long_table`: few enough for reportlab's page breaks to stay cheap.
TABLE_ROWS = 200


def paragraph(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def table(rows: list[tuple[str, str]], widths=(45 * mm, 120 * mm)) -> Table:
    grid = Table([[paragraph(a), paragraph(b)] for a, b in rows], colWidths=widths)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), "#eeeeee"),
            ]
        )
    )
    return grid


@functools.lru_cache(maxsize=8192)
def _width(text: str) -> float:
    # Cached: a member's records repeat the same keys and values over and over.
    return pdfmetrics.stringWidth(text, MINCHO, _CELL.fontSize)


def _cell(text: str, width: float) -> str | Paragraph:
    """`text` as a plain string when each of its lines fits `width`, else a wrapping Paragraph.

    A Paragraph costs a CJK line-breaking pass at every wrap and draw, and a table of a
    member's thousands of records would pay it for each cell: only the long ones need it.
    """
    room = width - _CELL_PADDING
    for line in text.split("\n"):
        # No glyph of these fonts is wider than the font size: most lines fit unmeasured.
        if len(line) * _CELL.fontSize > room and _width(line) > room:
            return paragraph(text, _CELL)
    return text


def packed(items: Iterable[str], width: float) -> str:
    """`items` side by side, a full-width space apart, on as few lines as fit a cell `width`.

    An item too long for a line is left alone on its own, for `_cell` to wrap.
    """
    room, gap = width - _CELL_PADDING, _width("　")
    lines: list[list[str]] = []
    used = room  # so that the first item opens a line
    for item in items:
        size = _width(item)
        if used + gap + size > room:
            lines.append([item])
            used = size
        else:
            lines[-1].append(item)
            used += gap + size
    return "\n".join("　".join(line) for line in lines)


class Deferred(Flowable):
    """Flowables made only when the document reaches them (see `_Document`)."""

    def __init__(self, make):
        super().__init__()
        self.make = make


class _Document(SimpleDocTemplate):
    def filterFlowables(self, flowables):
        # reportlab's hook before each flowable: a long table is made when reached and
        # dropped once drawn, so a 5,000-row package never holds all its tables at once.
        while flowables and isinstance(flowables[0], Deferred):
            flowables[0:1] = flowables[0].make()


def long_table(
    header: tuple[str, ...], rows: Iterable, widths: tuple[float, ...], count: int
) -> list[Deferred]:
    """A table of `count` rows that flows across pages, its header repeated on each page.

    `rows` yields tuples of strings, one per column; long ones are wrapped (`_cell`). It is
    read as the document reaches each part, in order, TABLE_ROWS rows to a part: reportlab
    copies and measures all the rows left at every page break, which made one 5,000-row
    table quadratic. Each part opens with the header, so it also shows within a page.
    """
    rows = iter(rows)

    def make() -> list[Flowable]:
        part = itertools.islice(rows, TABLE_ROWS)
        cells = [[_cell(str(text), w) for text, w in zip(row, widths, strict=True)] for row in part]
        grid = LongTable([header, *cells], colWidths=widths, repeatRows=1)
        grid.setStyle(_TABLE_STYLE)
        return [grid]

    return [Deferred(make) for _part in range(max(-(-count // TABLE_ROWS), 1))]


def section(heading: str) -> list[Flowable]:
    """A heading over the table that follows it, never left alone at the foot of a page.

    (keepWithNext would move a table longer than the rest of the page to the next one whole.)
    """
    return [CondPageBreak(25 * mm), paragraph(heading, HEADING)]


def render(title: str, flowables: list[Flowable], into=None) -> bytes:
    """A one-column A4 PDF titled `title` (in its metadata as well as on the page).

    Written into the binary file `into` when given (then b"" is returned), so that a large
    document is not held twice.
    """
    title = str(title)
    buffer = io.BytesIO() if into is None else into
    document = _Document(buffer, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm)
    document.build([paragraph(title, TITLE), Spacer(1, 8 * mm), *flowables])
    return buffer.getvalue() if into is None else b""
