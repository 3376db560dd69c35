"""Reading a core system's CSV file: its encoding, its header (English or Japanese column
names, in any order) and its rows as {column name: cell}, every problem in the report."""

import codecs
import csv
import io
from collections.abc import Callable, Iterator

from django.utils.translation import gettext as _

from core.normalize import normalize_text

from .report import ImportReport

MEMBERS = "members"
RECORDS = "records"
KINDS = (MEMBERS, RECORDS)

# Column name: (Japanese label, required).
MEMBER_COLUMNS = {
    "source_id": ("連携元ID", True),
    "symbol": ("記号", True),
    "number": ("番号", True),
    "branch": ("枝番", True),
    "name": ("氏名", True),
    "name_kana": ("フリガナ", True),
    "birth_date": ("生年月日", True),
    "sex": ("性別", True),
    "relationship": ("続柄", False),
    "insured_source_id": ("被保険者の連携元ID", False),
    "employer": ("事業所", False),
    "postal_code": ("郵便番号", False),
    "address": ("住所", False),
    "acquired_on": ("資格取得日", True),
    "lost_on": ("資格喪失日", False),
}
RECORD_COLUMNS = {
    "source_id": ("連携元ID", True),
    "symbol": ("記号", True),
    "number": ("番号", True),
    "branch": ("枝番", True),
    "category": ("類型", True),
    "date": ("日付", True),
    "title": ("件名", True),
    "payload": ("内容", True),
}


def decode_csv(data: bytes) -> str | None:
    """The file's text: UTF-8 (with or without BOM) or Shift_JIS (CP932), as core systems in
    Japan export it; None for anything else (binary data, UTF-16)."""
    if b"\x00" in data:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _header_names(header: list[str], columns: dict, report: ImportReport) -> list[str | None]:
    """The column name of each header cell, given in English or in Japanese."""
    spellings = {}
    for name, (label, _required) in columns.items():
        spellings[name] = name
        spellings[label] = name
    names = [
        spellings.get(normalize_text(cell).lower()) or spellings.get(normalize_text(cell))
        for cell in header
    ]
    for cell, name in zip(header, names, strict=True):
        if name is None:
            report.refuse(
                1, normalize_text(cell), _("「%s」という列は使えません。") % normalize_text(cell)
            )
    for name, (label, required) in columns.items():
        if required and name not in names:
            report.refuse(
                1,
                name,
                _("列「%(label)s」（%(name)s）がありません。") % {"label": label, "name": name},
            )
    return names


def read_rows(
    text: str, columns: dict, report: ImportReport, progress: Callable[[int], None]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column name: cell}) for each non-empty row, once the header is good."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            report.refuse(None, "", _("ファイルが空です。"))
            return
        names = _header_names(header, columns, report)
        if not report.ok:
            return
        named = [name for name in names if name is not None]  # all of them: none was refused
        for cells in reader:
            progress(1)
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                report.refuse(
                    reader.line_num,
                    "",
                    _("列の数が見出しと合いません（%(found)d列、見出しは%(expected)d列）。")
                    % {"found": len(cells), "expected": len(names)},
                )
                continue
            yield reader.line_num, dict(zip(named, (cell.strip() for cell in cells), strict=True))
    except csv.Error as error:
        report.refuse(reader.line_num or None, "", _("CSVとして読めません（%s）。") % error)
