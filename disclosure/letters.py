"""Letters to requesters and the blank forms for filing on paper, as Japanese PDFs.

reportlab's built-in CID fonts (HeiseiMin-W3, HeiseiKakuGo-W5) need no font file. Dates
are written in 和暦 (`wareki.format_wareki`); the society's name and desk come from the
register's notice (`purposes.Notice`). `issue` stores what it rendered: a letter is kept as
it was sent. Nothing here decides anything; the caller's transaction holds the row.
"""

import functools
import hashlib
import io
import itertools
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
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

from purposes.models import Notice
from safeguards import deadlines

from .models import DecisionItem, Kind, Letter, Request
from .wareki import format_wareki

MINCHO, GOTHIC = "HeiseiMin-W3", "HeiseiKakuGo-W5"
for _font in (MINCHO, GOTHIC):
    pdfmetrics.registerFont(UnicodeCIDFont(_font))

_BODY = ParagraphStyle("body", fontName=MINCHO, fontSize=10.5, leading=17, wordWrap="CJK")
_TITLE = ParagraphStyle("title", parent=_BODY, fontName=GOTHIC, fontSize=15, alignment=1)
_RIGHT = ParagraphStyle("right", parent=_BODY, alignment=2)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontName=GOTHIC, spaceBefore=8)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=8.5, leading=11)
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


def paragraph(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
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
    return [CondPageBreak(25 * mm), paragraph(heading, _HEADING)]


def render(title: str, flowables: list[Flowable], into=None) -> bytes:
    """A one-column A4 PDF titled `title` (in its metadata as well as on the page).

    Written into the binary file `into` when given (then b"" is returned), so that a large
    document is not held twice.
    """
    title = str(title)
    buffer = io.BytesIO() if into is None else into
    document = _Document(buffer, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm)
    document.build([paragraph(title, _TITLE), Spacer(1, 8 * mm), *flowables])
    return buffer.getvalue() if into is None else b""


def society() -> Notice | None:
    return Notice.objects.filter(pk=1).first()


def _letterhead(request: Request) -> list[Flowable]:
    notice = society()
    sender = (
        [
            notice.society_name,
            notice.desk_department,
            f"〒{notice.desk_postal_code} {notice.desk_address}",
            _("電話 %(phone)s") % {"phone": notice.desk_phone},
        ]
        if notice
        else []
    )
    addressee = request.agent_name if request.filer != Request.Filer.SELF else request.name
    return [
        paragraph(format_wareki(deadlines.today()), _RIGHT),
        paragraph(_("%(name)s 様") % {"name": addressee}),
        paragraph("\n".join(sender), _RIGHT),
        Spacer(1, 6 * mm),
    ]


def _summary(request: Request) -> Table:
    return table(
        [
            (_("受付番号"), request.receipt_number),
            (_("受付日"), format_wareki(deadlines.local_date(request.received_at))),
            (_("請求の種類"), "、".join(request.kind_labels())),
            (_("回答期限"), format_wareki(request.effective_due_on)),
        ]
    )


def _decision_rows(request: Request) -> list[tuple[str, str]]:
    rows = []
    for item in request.items.select_related("category"):
        subject = " ".join(
            part
            for part in (
                str(Kind(item.kind).label),
                item.category.name if item.category else "",
                item.field,
            )
            if part
        )
        if item.granted:
            rows.append((subject, _("請求のとおり実施します。")))
        else:
            rows.append(
                (
                    subject,
                    _("実施しません。根拠：%(ground)s\n理由：%(reason)s")
                    % {"ground": DecisionItem.Ground(item.ground).label, "reason": item.reason},
                )
            )
    return rows


def body(request: Request, kind: str, extra: list[Flowable]) -> list[Flowable]:
    """The paragraphs of a letter of `kind` about `request`, after the letterhead."""
    parts: list[Flowable] = [_summary(request), Spacer(1, 5 * mm)]
    if kind == Letter.Kind.ACKNOWLEDGEMENT:
        parts.append(
            paragraph(_("上記のとおり請求を受け付けました。回答期限までに結果をお知らせします。"))
        )
        if request.fee_yen:
            # APPI Art. 38: the fee for 利用目的の通知 and 開示.
            parts.append(
                paragraph(_("手数料は %(fee)s 円です。") % {"fee": f"{request.fee_yen:,}"})
            )
    elif kind in (Letter.Kind.DOCUMENTS, Letter.Kind.REJECTION):
        parts.append(paragraph(request.state_note))
    elif kind == Letter.Kind.EXTENSION:
        parts.append(
            paragraph(
                _("回答期限を %(due)s まで延長します。理由：%(reason)s")
                % {
                    "due": format_wareki(request.extended_due_on),
                    "reason": request.extension_reason,
                }
            )
        )
    elif kind == Letter.Kind.DECISION:
        # APPI Art. 36: a refusal, whole or partial, is told with its reasons.
        parts.append(paragraph(_("決定：%(outcome)s") % {"outcome": request.get_outcome_display()}))
        if rows := _decision_rows(request):
            parts.append(table(rows))
        if request.reasons:
            parts.append(paragraph(_("理由：%(reasons)s") % {"reasons": request.reasons}))
        parts.append(
            paragraph(
                _(
                    "この決定について不明な点があるときは、下記の窓口までお問い合わせください。"
                    "個人情報保護委員会の相談窓口に相談することもできます。"
                )
            )
        )
    elif kind == Letter.Kind.COMPLETION:
        parts.append(paragraph(_("決定の内容を実施しましたので、お知らせします。")))
    parts.extend(extra)
    return parts


def issue(request: Request, kind: str, *, extra: list[Flowable] = ()) -> Letter:
    """Render the letter, store it under MEDIA_ROOT and return its row (caller's transaction)."""
    title = Letter.Kind(kind).label
    pdf = render(title, [*_letterhead(request), *body(request, kind, list(extra))])
    letter = Letter(
        request=request,
        kind=kind,
        issued_on=deadlines.today(),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    letter.file.save(f"{request.receipt_number}-{kind}.pdf", ContentFile(pdf), save=False)
    letter.full_clean()
    letter.save()
    return letter


def blank_request_form() -> bytes:
    """開示等請求書: the paper form, with the same items as the web form."""
    rows = [
        (_("請求者"), _("□本人　□法定代理人　□任意代理人")),
        (_("記号・番号・枝番"), ""),
        (_("氏名"), ""),
        (_("フリガナ"), ""),
        (_("生年月日"), _("　　年　　月　　日")),
        (_("住所"), "〒\n"),
        (_("電話番号・メール"), ""),
        (
            _("請求の種類"),
            "\n".join(f"□{label}" for label in Kind.labels)
            + _("\n（開示のとき）□第三者提供記録を含む"),
        ),
        (_("対象の類型・期間"), ""),
        (_("開示の方法"), _("□電子データ　□書面の郵送")),
        (_("訂正等の内容"), _("項目：\n現在の内容：\n正しい内容：")),
        (_("請求の理由（利用停止等）"), "\n"),
        (_("代理人（代理人が請求するとき）"), _("氏名：\n本人との関係：\n住所・電話番号：")),
    ]
    return render(
        _("保有個人データ開示等請求書"),
        [
            paragraph(_("　　年　　月　　日"), _RIGHT),
            table(rows),
            Spacer(1, 4 * mm),
            paragraph(
                _(
                    "本人確認書類（運転免許証、パスポート、マイナンバーカードの表面など）の写しを添えてください。"
                    "代理人が請求するときは、代理人の本人確認書類と、委任状または戸籍謄本など代理権を証する書類も添えてください。"
                )
            ),
        ],
    )


def blank_proxy_form() -> bytes:
    """委任状: the member appoints an agent to file on their behalf."""
    return render(
        _("委任状"),
        [
            paragraph(_("　　年　　月　　日"), _RIGHT),
            paragraph(
                _(
                    "私は、下記の者を代理人と定め、保有個人データの開示等の請求に関する一切の権限を委任します。"
                )
            ),
            Spacer(1, 4 * mm),
            paragraph(_("代理人"), _HEADING),
            table([(_("氏名"), ""), (_("住所"), ""), (_("電話番号"), "")]),
            paragraph(_("委任者（本人）"), _HEADING),
            table(
                [
                    (_("氏名（自署）"), ""),
                    (_("記号・番号・枝番"), ""),
                    (_("生年月日"), _("　　年　　月　　日")),
                    (_("住所"), ""),
                ]
            ),
        ],
    )
