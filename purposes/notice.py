"""Read a society's notice (個人情報保護法に基づく公表事項) from its Markdown file.

Pure parsing, no database: `parse_notice` turns the file into a `ParsedNotice` that the
loader writes as rows. The file is a transcription of a printed notice: tables are lines
of tab-separated cells, and line breaks of the print left spaces inside phrases
(`デ ータ化`); `clean_phrase` removes those and changes nothing else.
"""

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NOTICE = Path(__file__).resolve().parent / "data" / "notice-ja.md"

# Kana, CJK ideographs and their punctuation, full-width forms (（）：、。ー々 and the like).
_JAPANESE = (
    r"\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
# A bracket that closes before, or opens after, the space counts as Japanese text too: the
# print broke 「含む) 及び」 as it broke 「デ ータ化」.
_SPACE_BETWEEN_JAPANESE = re.compile(rf"(?<=[{_JAPANESE})]) +(?=[{_JAPANESE}(])")

_HEADING = re.compile(r"^## +(?P<text>.+)$")
_NUMBERED_SECTION = re.compile(r"^(?P<number>[1-4])\. ")
_EXEMPTION = re.compile(r"^- *\((?P<number>\d+)\)(?P<text>.+)$")
_POSTAL = re.compile(r"^〒(?P<code>\d{3}-\d{4}) +(?P<address>.+)$")
_PHONE = re.compile(r"^電話[：:] *(?P<phone>.+)$")


class NoticeFormatError(ValueError):
    """The file does not have the shape of the notice; the message says where."""


def clean_phrase(text: str) -> str:
    """Remove the spaces that the print's line breaks left between Japanese characters."""
    return _SPACE_BETWEEN_JAPANESE.sub("", text.strip())


@dataclass(frozen=True)
class ParsedCategory:
    name: str
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class ParsedSafeguard:
    name: str
    text: str


@dataclass(frozen=True)
class ParsedNotice:
    title: str
    headings: tuple[str, str, str, str]  # sections 1 to 4, as printed ("1. 個人情報の利用目的")
    intro: str
    register: tuple[ParsedCategory, ...]
    notes: tuple[str, ...]  # the ※ paragraphs under the table
    exemptions: tuple[str, ...]  # APPI Art. 21(4)(i)-(iv), in order, without "(1)"
    safeguards: tuple[ParsedSafeguard, ...]
    requests_text: str
    requests_page: str  # the procedure page's address, or the notice's placeholder for it
    society_name: str
    desk_department: str
    desk_postal_code: str
    desk_address: str
    desk_phone: str


def parse_notice(path: Path = DEFAULT_NOTICE) -> ParsedNotice:
    """Parse the notice file; raise `NoticeFormatError` naming what is missing or malformed."""
    title, sections = _split_sections(path.read_text(encoding="utf-8"))
    if len(sections) != 4:
        raise NoticeFormatError(f"{path.name}: expected sections 1 to 4, found {len(sections)}")
    (h1, purposes), (h2, safeguards), (h3, requests), (h4, complaints) = sections
    intro, register, notes, exemptions = _parse_purposes(purposes)
    requests_text, requests_page = _parse_requests(requests)
    return ParsedNotice(
        title=title,
        headings=(h1, h2, h3, h4),
        intro=intro,
        register=register,
        notes=notes,
        exemptions=exemptions,
        safeguards=tuple(ParsedSafeguard(name, text) for name, text in _table(safeguards)),
        requests_text=requests_text,
        requests_page=requests_page,
        **_parse_desk(complaints),
    )


def _split_sections(text: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The title (the first heading) and each numbered section's heading and non-empty lines."""
    title = ""
    sections: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading and _NUMBERED_SECTION.match(heading["text"]):
            sections.append((clean_phrase(heading["text"]), []))
        elif heading and not title and not sections:
            title = clean_phrase(heading["text"])
        elif sections:
            sections[-1][1].append(raw.rstrip("\n"))
        else:
            raise NoticeFormatError(f"text before the first section: {line[:40]}")
    if not title:
        raise NoticeFormatError("the notice has no title heading")
    return title, sections


def _table(lines: list[str]) -> list[tuple[str, str]]:
    """The rows of a two-column, tab-separated table, cells cleaned."""
    rows = []
    for line in lines:
        if "\t" not in line:
            continue
        cells = line.split("\t")
        if len(cells) != 2:
            raise NoticeFormatError(f"expected two tab-separated cells: {line[:40]}")
        rows.append((clean_phrase(cells[0]), clean_phrase(cells[1])))
    return rows


def _parse_purposes(
    lines: list[str],
) -> tuple[str, tuple[ParsedCategory, ...], tuple[str, ...], tuple[str, ...]]:
    table = _table(lines)
    if len(table) < 2:
        raise NoticeFormatError("section 1 has no table of categories and purposes")
    # The first row is the table's header (個人情報の類型 / 利用目的), not a category.
    register = tuple(
        ParsedCategory(name, tuple(clean_phrase(p) for p in purposes.split("、")))
        for name, purposes in table[1:]
    )
    first_row = lines.index(next(line for line in lines if "\t" in line))
    intro = "\n\n".join(clean_phrase(line) for line in lines[:first_row])
    notes = tuple(clean_phrase(line) for line in lines if line.strip().startswith("※"))
    exemptions: list[str] = []
    for line in lines:
        match = _EXEMPTION.match(line.strip())
        if match:
            if int(match["number"]) != len(exemptions) + 1:
                raise NoticeFormatError(f"exemption out of order: {line[:40]}")
            exemptions.append(clean_phrase(match["text"]))
    if not intro or not exemptions:
        raise NoticeFormatError("section 1 lacks its introduction or the Art. 21(4) exemptions")
    return intro, register, notes, tuple(exemptions)


def _parse_requests(lines: list[str]) -> tuple[str, str]:
    """The procedure's text, and the last paragraph: where its page is (or a placeholder)."""
    if len(lines) < 2:
        raise NoticeFormatError("section 3 needs the procedure and the address of its page")
    return "\n\n".join(clean_phrase(line) for line in lines[:-1]), clean_phrase(lines[-1])


def _parse_desk(lines: list[str]) -> dict[str, str]:
    """The complaints desk: "<society> <department>", "〒<code> <address>", "電話：<number>"."""
    if len(lines) != 3:
        raise NoticeFormatError("section 4 needs three lines: desk, postal address, phone")
    # Split before cleaning: the one space in this line separates the society from its desk.
    society, _, department = lines[0].strip().rpartition(" ")
    postal = _POSTAL.match(lines[1].strip())
    phone = _PHONE.match(lines[2].strip())
    if not society or not postal or not phone:
        raise NoticeFormatError("section 4 does not read as desk, 〒 address, 電話")
    return {
        "society_name": clean_phrase(society),
        "desk_department": clean_phrase(department),
        "desk_postal_code": postal["code"],
        "desk_address": postal["address"].strip(),
        "desk_phone": phone["phone"].strip(),
    }
