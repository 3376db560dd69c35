"""The disclosure package: what the society holds about a member, as the member receives it.

A ZIP of `records.json`, `records.csv` and `disclosure.pdf` (the readable copy, which is
also what is printed for paper delivery), with `provisions.*` when the 第三者提供記録 were
asked for (APPI Art. 33(5)). The rows come from the caller, read through the gate; what a
partial decision refused is replaced by a marked redaction, never silently left out.
"""

import csv
import dataclasses
import datetime
import functools
import hashlib
import io
import itertools
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from operator import itemgetter
from typing import cast

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from audit import trail
from audit.vocabulary import Action
from core import deadlines, pdf, spreadsheet
from core.wareki import format_wareki
from purposes.models import Category
from records import gate, payload_schemas
from records.models import Record, Restriction, ThirdPartyProvision
from safeguards import approvals

from . import letters, signals
from .access import DESK, filed_for_protected, statutory_access
from .models import DecisionItem, Kind, Package, Request

LINK_VALID_DAYS = 30
REDACTED = "［不開示］"
# The keys of records.json and provisions.json, and the Japanese headers of the CSV files
# (README: the disclosure package).
RECORD_COLUMNS = {
    "id": _("記録ID"),
    "category": _("類型"),
    "category_code": _("類型コード"),
    "date": _("日付"),
    "title": _("件名"),
    "payload": _("内容（JSON）"),
    "withheld_fields": _("不開示の項目と根拠（JSON）"),
    "redacted": _("不開示の根拠"),
}
PROVISION_COLUMNS = {
    "provided_on": _("提供日"),
    "recipient": _("提供先"),
    "category": _("類型"),
    "items": _("提供した項目"),
    "legal_basis": _("根拠"),
    "redacted": _("不開示の根拠"),
}
# A4 less the 20 mm margins: 170 mm. A date column holds the longest 和暦 date on one line
# (平成30年12月28日, 68 points and the padding): a date that wraps costs a Paragraph per row,
# and reads as two dates.
RECORD_WIDTHS = (29 * mm, 37 * mm, 104 * mm)
PROVISION_WIDTHS = (29 * mm, 38 * mm, 28 * mm, 45 * mm, 30 * mm)
RESTRICTION_WIDTHS = (26 * mm, 34 * mm, 40 * mm, 40 * mm, 30 * mm)
REQUEST_WIDTHS = (40 * mm, 30 * mm, 60 * mm, 40 * mm)
# The ZIP is spooled to disk past this size, so a large package is never held in memory.
SPOOL_BYTES = 4 * 2**20


# The neutral ground of a receipt the medical institution asked to withhold (診療上の支障):
# the article only, so that nothing next to the row's date hints at what was kept back.
NEUTRAL_GROUND = _("法第33条第2項第1号")


@dataclasses.dataclass(frozen=True)
class Withheld:
    """What the decision withholds, each with its ground as the member reads it."""

    categories: dict[int, str]  # category id -> ground
    records: dict[int, str]  # record id -> ground
    fields: dict[int, dict[str, str]]  # record id -> field -> ground
    provisions: dict[int, str]  # provision id -> ground (Art. 33(5) applies 33(2))


def _ground(item: DecisionItem) -> str:
    # str(): a choice's label is a lazy translation, which json.dumps refuses.
    return str(DecisionItem.Ground(item.ground).label)


def _redactions(request: Request) -> Withheld:
    """What the decision refused, per category, per record and per field (APPI Art. 33(2))."""
    withheld = Withheld({}, {}, {}, {})
    for item in request.items.filter(kind=Kind.DISCLOSURE, granted=False):
        if item.provision_id:
            withheld.provisions[item.provision_id] = _ground(item)
        elif item.record_id and item.field:
            withheld.fields.setdefault(item.record_id, {})[item.field] = _ground(item)
        elif item.record_id:
            withheld.records[item.record_id] = _ground(item)
        elif item.category_id:
            withheld.categories[item.category_id] = _ground(item)
    return withheld


def _rows(records: Iterable[Record], withheld: Withheld) -> Iterator[dict]:
    """Each record as the member receives it, with the schema's keys (README: the package)."""
    for record in records:
        row = {
            "id": record.pk,
            "category": record.category.name,
            "category_code": record.category.code,
            "date": record.date.isoformat(),
            "title": record.title,
            "payload": record.payload,
        }
        ground = withheld.categories.get(record.category_id) or withheld.records.get(record.pk)
        if ground:
            row |= {"title": REDACTED, "payload": {}, "redacted": ground}
        elif fields := withheld.fields.get(record.pk):
            row["payload"] = {
                key: REDACTED if key in fields else value for key, value in record.payload.items()
            }
            row["withheld_fields"] = fields
        yield row


def rows_for(request: Request, records: Iterable[Record]) -> list[dict]:
    return list(_rows(records, _redactions(request)))


def _write_json(handle, rows: Iterable[dict]) -> None:
    # One row per line, written as it is made: the whole document is never one string.
    text = io.TextIOWrapper(handle, encoding="utf-8")
    text.write("[")
    for n, row in enumerate(rows):
        text.write(",\n" if n else "\n")
        text.write(json.dumps(row, ensure_ascii=False))
    text.write("\n]\n")
    text.flush()
    text.detach()


def _csv_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _write_csv(handle, rows: Iterable[dict], columns: dict[str, str]) -> None:
    # Japanese headers, with a BOM, so that spreadsheet software opens the text correctly.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([str(header) for header in columns.values()])
    for row in rows:
        writer.writerow([spreadsheet.cell(_csv_value(row.get(key, ""))) for key in columns])
    text.flush()
    text.detach()


# Japanese titles per category code, read once per process (the site speaks Japanese only).
_labels = functools.cache(payload_schemas.titles)


def _record_cells(row: dict) -> tuple[str, str, str]:
    """Date in 和暦, and the content with the schema's Japanese labels and values as a person
    writes them; a withheld field shows 「［不開示］」 with its ground."""
    day = format_wareki(datetime.date.fromisoformat(row["date"]))
    if ground := row.get("redacted"):
        return day, row["title"], _("不開示（%(g)s）") % {"g": ground}
    code, withheld = row["category_code"], row.get("withheld_fields", {})
    labels = _labels(code)
    items = (
        f"{labels.get(key, key)}：{value}" + (f"（{withheld[key]}）" if key in withheld else "")
        for key, value in payload_schemas.display_values(
            code, row["payload"], masked=False, wareki=True
        ).items()
    )
    return day, row["title"], pdf.packed(items, RECORD_WIDTHS[2])


def _provision_cells(row: dict) -> tuple[str, ...]:
    if ground := row.get("redacted"):
        # Nothing of a withheld provision but the mark and its ground: neither its date nor
        # its recipient (a 児童相談所, told to a parent) may show what was kept back.
        return (REDACTED, REDACTED, REDACTED, REDACTED, _("不開示（%(g)s）") % {"g": ground})
    items = row["items"]
    return (
        format_wareki(datetime.date.fromisoformat(row["provided_on"])),
        row["recipient"],
        row["category"],
        "、".join(map(str, items)) if isinstance(items, list) else str(items),
        row["legal_basis"],
    )


def _pdf(request: Request, held: dict, rows, provisions: list[dict], into) -> None:
    """The readable copy: who it is for, from whom and when; the member's own row, their
    restrictions, requests and what the desks above keep (complaints); then one table per
    category, flowing across pages, headers repeated, and the provision records.

    Plain strings in the cells, a wrapping Paragraph only for a cell too wide for its column
    (`pdf.long_table`): a flowable per record made a 5,000-record package take minutes.
    `rows()` is read twice: to count each category's rows for its heading, then as the
    tables are drawn, so that the cells of the whole package are never held at once.
    """
    notice = letters.society()
    flowables = [
        pdf.paragraph(format_wareki(deadlines.today()), pdf.RIGHT),
        pdf.paragraph(_("%(name)s 様") % {"name": held["addressee"]}),
        pdf.paragraph(notice.society_name if notice else "", pdf.RIGHT),
        pdf.paragraph(_("受付番号 %(r)s") % {"r": request.receipt_number}),
        *pdf.section(_("加入者の情報")),
        pdf.table(held["member_cells"]),
    ]
    if held["restrictions"]:
        flowables += [
            *pdf.section(_("利用停止等")),
            *pdf.long_table(
                (_("種別"), _("類型"), _("利用目的"), _("期間"), _("根拠")),
                [tuple(r.values()) for r in held["restrictions"]],
                RESTRICTION_WIDTHS,
                len(held["restrictions"]),
            ),
        ]
    if held["requests"]:
        flowables += [
            *pdf.section(_("開示等の請求")),
            *pdf.long_table(
                (_("受付番号"), _("受付日"), _("請求の種類"), _("状態")),
                [tuple(r.values()) for r in held["requests"]],
                REQUEST_WIDTHS,
                len(held["requests"]),
            ),
        ]
    for section in held["sections"]:
        if section.rows:
            flowables += [
                *pdf.section(section.title),
                *pdf.long_table(
                    tuple(section.columns.values()),
                    [tuple(row[key] for key in section.columns) for row in section.rows],
                    tuple(width * mm for width in section.widths_mm),
                    len(section.rows),
                ),
            ]
    header = (_("日付"), _("件名"), _("内容"))
    runs = [
        (category, sum(1 for _row in run))
        for category, run in itertools.groupby(rows(), key=itemgetter("category"))
    ]
    # One stream of cells, taken in order by the categories' tables as they are drawn.
    cells = map(_record_cells, rows())
    for category, count in runs:
        heading = _("%(category)s（%(n)s件）") % {"category": category, "n": count}
        flowables += [
            *pdf.section(heading),
            *pdf.long_table(header, itertools.islice(cells, count), RECORD_WIDTHS, count),
        ]
    if not runs and request.is_bereaved:
        flowables.append(pdf.paragraph(_("開示する診療報酬明細書等はありません。")))
    elif not runs:
        flowables.append(pdf.paragraph(_("加入者の情報のほかに保有する記録はありません。")))
    if provisions:
        # APPI Art. 33(5): the records of provision to third parties.
        flowables += [
            *pdf.section(_("第三者提供記録")),
            *pdf.long_table(
                tuple(h for key, h in PROVISION_COLUMNS.items() if key != "redacted"),
                [_provision_cells(p) for p in provisions],
                PROVISION_WIDTHS,
                len(provisions),
            ),
        ]
    title = (
        _("死亡した加入者の診療報酬明細書等の開示")
        if request.is_bereaved
        else _("保有個人データの開示")
    )
    pdf.render(title, flowables, into=into)


def _wareki(day: datetime.date | None) -> str:
    return format_wareki(day) if day else ""


def _held(request: Request, by) -> dict:
    """The member's own row, restrictions and requests, read on the request's statutory
    access (the member) and its desk (the requests), and what the apps above keep about the
    member (`signals.member_held`: the complaints): what the society holds besides records."""
    access = statutory_access(request, by)
    member = gate.members(access).get(pk=request.member_id)
    if request.is_bereaved:
        return _held_for_bereaved(request, member)
    fields = {
        "name": member.name,
        "name_kana": member.name_kana,
        "birth_date": member.birth_date.isoformat(),
        "symbol": member.symbol,
        "number": member.number,
        "branch": member.branch,
        "employer": member.employer,
        "acquired_on": member.acquired_on.isoformat(),
        "lost_on": member.lost_on.isoformat() if member.lost_on else None,
    }
    member_cells = [
        (_("氏名"), member.name),
        (_("フリガナ"), member.name_kana),
        (_("生年月日"), format_wareki(member.birth_date)),
        (_("記号・番号・枝番"), f"{member.symbol}-{member.number}-{member.branch}"),
        (_("事業所"), member.employer),
        (_("資格取得日"), format_wareki(member.acquired_on)),
        (_("資格喪失日"), _wareki(member.lost_on)),
    ]
    restrictions = [
        {
            "kind": r.get_kind_display(),
            "category": r.category.name if r.category else _("すべての類型"),
            "purpose": r.purpose.name if r.purpose else _("すべての利用目的"),
            "period": f"{format_wareki(r.since)}〜{_wareki(r.until)}",
            "reference": r.reference,
        }
        for r in gate.of_members(access, Restriction)
        .filter(member=member)
        .select_related("category", "purpose")
        .order_by("since", "id")
    ]
    requests = [
        {
            "receipt_number": r.receipt_number,
            "received_on": format_wareki(deadlines.local_date(r.received_at)),
            "kinds": "、".join(r.kind_labels()),
            "state": r.get_state_display(),
        }
        for r in gate.filings(
            gate.open_desk(user=by, desk=DESK, surface=gate.Surface.DISCLOSURE),
            Request.objects.filter(member=member).order_by("received_at", "id"),
        )
    ]
    # Each receiver answers a `HeldSection` (the signal's contract; Django types it loosely).
    sections = [
        cast(signals.HeldSection, section)
        for _receiver, section in signals.member_held.send(Request, request=request, access=access)
    ]
    return {
        "addressee": member.name,
        "member": fields,
        "member_cells": member_cells,
        "restrictions": restrictions,
        "requests": requests,
        "sections": sections,
    }


def _held_for_bereaved(request: Request, member) -> dict:
    """What the bereaved receive of the deceased besides the receipts (the MHLW notice): whose
    they are, by name and dates; nothing else of the member, their requests or the desks."""
    died_on = cast(datetime.date, member.died_on)  # matched only once recorded (services)
    return {
        "addressee": request.agent_name
        if request.filer != Request.Filer.SELF
        else request.bereaved_name,
        "member": {
            "name": member.name,
            "birth_date": member.birth_date.isoformat(),
            "died_on": died_on.isoformat(),
        },
        "member_cells": [
            (_("死亡した加入者の氏名"), member.name),
            (_("生年月日"), format_wareki(member.birth_date)),
            (_("死亡日"), format_wareki(died_on)),
        ],
        "restrictions": [],
        "requests": [],
        "sections": [],
    }


def provisions_disclosed(request: Request, by) -> list[ThirdPartyProvision]:
    """The 第三者提供記録 the request's disclosure holds by default (Art. 33(5)): the records
    Art. 29 asks the society to keep, read through the gate like the records; none unless
    the request asks for them. The decision may withhold each (`DecisionItem.provision_id`)."""
    if not request.include_provision_records:
        return []
    held = gate.of_members(statutory_access(request, by), ThirdPartyProvision)
    return list(
        held.filter(ThirdPartyProvision.ART29_RECORDS, member=request.member)
        .select_related("category")
        .order_by("provided_on", "id")
    )


def _provisions(request: Request, by, withheld: Withheld) -> list[dict]:
    # The MHLW guidance (DV, stalking, child abuse): a protected member's provision records
    # do not go to whoever filed on their behalf (a protection set after 照合). Each is
    # withheld as the decision withholds one, on the article alone (Art. 33(2)(i)): where
    # the member's data went (a 児童相談所, a new insurer) is what the filer must not learn.
    shielded = filed_for_protected(request)
    rows = []
    for p in provisions_disclosed(request, by):
        if ground := withheld.provisions.get(p.pk) or (NEUTRAL_GROUND if shielded else None):
            rows.append({key: REDACTED for key in PROVISION_COLUMNS} | {"redacted": ground})
            continue
        rows.append(
            {
                "provided_on": p.provided_on.isoformat(),
                "recipient": p.recipient,
                "category": p.category.name,
                "items": p.items,
                "legal_basis": p.get_legal_basis_display(),
            }
        )
    return rows


@transaction.atomic
def build(*, request: Request, records: Iterable[Record], by) -> Package:
    """Write the package for `request` from `records` (gated by the caller) and return it.

    `records` is iterated a few times (JSON, CSV, and twice for the PDF): a list, not a
    one-shot iterator.
    """
    sensitive = set(Category.objects.filter(sensitive=True).values_list("pk", flat=True))
    if any(record.category_id in sensitive for record in records):
        # Four eyes: 要配慮個人情報 leaves only on a second privacy officer's approval.
        approvals.require(
            kind=approvals.Kind.PACKAGE_RELEASE,
            target=request,
            description=_("請求 %(receipt)s：要配慮個人情報を含む開示データの交付")
            % {"receipt": request.receipt_number},
            by=by,
        )
    redactions = _redactions(request)
    held = _held(request, by)
    provisions = _provisions(request, by, redactions)
    tally = {"records": 0, "redacted": 0}

    def counted(rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            tally["records"] += 1
            tally["redacted"] += "redacted" in row
            yield row

    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            # Each member is written as a stream, so no file is held whole in memory.
            with archive.open("member.json", "w") as handle:
                document = {key: held[key] for key in ("member", "restrictions", "requests")}
                document |= {section.key: section.rows for section in held["sections"]}
                handle.write(json.dumps(document, ensure_ascii=False, indent=1).encode())
            with archive.open("records.json", "w") as handle:
                _write_json(handle, counted(_rows(records, redactions)))
            with archive.open("records.csv", "w") as handle:
                _write_csv(handle, _rows(records, redactions), RECORD_COLUMNS)
            with archive.open("disclosure.pdf", "w") as handle:
                rows = functools.partial(_rows, records, redactions)
                _pdf(request, held, rows, provisions, into=handle)
            if request.include_provision_records:
                with archive.open("provisions.json", "w") as handle:
                    _write_json(handle, provisions)
                with archive.open("provisions.csv", "w") as handle:
                    _write_csv(handle, provisions, PROVISION_COLUMNS)
        spool.seek(0)
        digest = hashlib.file_digest(spool, "sha256").hexdigest()
        spool.seek(0)
        made = Package(
            request=request,
            sha256=digest,
            expires_at=timezone.now() + timedelta(days=LINK_VALID_DAYS),
        )
        made.file.save(f"{request.receipt_number}.zip", File(spool), save=False)
    made.save()
    trail.append(
        action=Action.DISCLOSURE_PACKAGE_BUILT,
        actor=trail.actor_for(by),
        target=made,
        details={
            "request": request.pk,
            "records": tally["records"],
            "redacted": tally["redacted"],
            "provisions": len(provisions),
            "sha256": made.sha256,
        },
    )
    return made


@transaction.atomic
def download(*, package: Package) -> Package:
    """Count and audit one download by the requester (from the status page)."""
    Package.objects.filter(pk=package.pk).update(downloads=F("downloads") + 1)
    trail.append(
        action=Action.DISCLOSURE_PACKAGE_DOWNLOADED,
        actor=trail.PUBLIC,
        target=package,
        details={"request": package.request_id},
    )
    return package
