"""The disclosure package: what the society holds about a member, as the member receives it.

A ZIP of `records.json`, `records.csv` and `disclosure.pdf` (the readable copy, which is
also what is printed for paper delivery), with `provisions.*` when the 第三者提供記録 were
asked for (APPI Art. 33(5)). The rows come from the caller, read through the gate; what a
partial decision refused is replaced by a marked redaction, never silently left out.
"""

import csv
import hashlib
import io
import itertools
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from operator import itemgetter

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from audit import trail
from audit.vocabulary import Action
from core import pdf, spreadsheet
from records import gate
from records.models import Record, ThirdPartyProvision

from .access import statutory_access
from .models import DecisionItem, Kind, Package, Request

LINK_VALID_DAYS = 30
REDACTED = "［不開示］"
RECORD_COLUMNS = ["id", "category", "date", "title", "payload", "redacted"]
# A4 less the 20 mm margins: 170 mm.
RECORD_WIDTHS = (22 * mm, 42 * mm, 106 * mm)
PROVISION_WIDTHS = (22 * mm, 40 * mm, 30 * mm, 48 * mm, 30 * mm)
# The ZIP is spooled to disk past this size, so a large package is never held in memory.
SPOOL_BYTES = 4 * 2**20


def _redactions(request: Request) -> tuple[dict[int, str], dict[int, str]]:
    """What a partial decision withholds: category id -> ground, receipt id -> ground."""
    # str(): a choice's label is a lazy translation, which json.dumps refuses.
    categories = {
        item.category_id: str(DecisionItem.Ground(item.ground).label)
        for item in request.items.filter(kind=Kind.DISCLOSURE, granted=False)
        if item.category_id
    }
    # 診療上の支障: the medical institution answered that disclosure would hinder care.
    receipts = {
        pk: _("医療機関から診療上の支障があるとの回答があったため")
        for pk in request.consultations.filter(hinders_care=True).values_list(
            "record_id", flat=True
        )
    }
    return categories, receipts


def _rows(records: Iterable[Record], redactions) -> Iterator[dict]:
    """Each record as the member receives it; the grounds are looked up once per package."""
    categories, receipts = redactions
    for record in records:
        row = {
            "id": record.pk,
            "category": record.category.name,
            "date": record.date.isoformat(),
            "title": record.title,
            "payload": record.payload,
        }
        if ground := categories.get(record.category_id) or receipts.get(record.pk):
            row |= {"title": REDACTED, "payload": {}, "redacted": ground}
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


def _write_csv(handle, rows: Iterable[dict], columns: list[str]) -> None:
    # With a BOM, so that spreadsheet software opens the Japanese text correctly.
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: spreadsheet.cell(_csv_value(value)) for key, value in row.items()})
    text.flush()
    text.detach()


def _record_cells(row: dict) -> tuple[str, str, str]:
    if ground := row.get("redacted"):
        detail = _("不開示（%(g)s）") % {"g": ground}
    else:
        items = (f"{key}：{value}" for key, value in row["payload"].items())
        detail = pdf.packed(items, RECORD_WIDTHS[2])
    return row["date"], row["title"], detail


def _pdf(request: Request, rows, provisions: list[dict], into) -> None:
    """The readable copy: one table per category, flowing across pages, headers repeated.

    Plain strings in the cells, a wrapping Paragraph only for a cell too wide for its column
    (`pdf.long_table`): a flowable per record made a 5,000-record package take minutes.
    `rows()` is read twice: to count each category's rows for its heading, then as the
    tables are drawn, so that the cells of the whole package are never held at once.
    """
    flowables = [pdf.paragraph(_("受付番号 %(r)s") % {"r": request.receipt_number})]
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
    if len(flowables) == 1:
        flowables.append(pdf.paragraph(_("開示の対象となる保有個人データはありません。")))
    if provisions:
        # APPI Art. 33(5): the records of provision to third parties.
        flowables += [
            *pdf.section(_("第三者提供記録")),
            *pdf.long_table(
                (_("提供日"), _("提供先"), _("類型"), _("提供した項目"), _("根拠")),
                [
                    (
                        p["provided_on"],
                        p["recipient"],
                        p["category"],
                        "、".join(map(str, p["items"]))
                        if isinstance(p["items"], list)
                        else str(p["items"]),
                        p["legal_basis"],
                    )
                    for p in provisions
                ],
                PROVISION_WIDTHS,
                len(provisions),
            ),
        ]
    pdf.render(_("保有個人データの開示"), flowables, into=into)


def _provisions(request: Request, by) -> list[dict]:
    """The 第三者提供記録 about the member (Art. 33(5)), read through the gate like the records."""
    if not request.include_provision_records:
        return []
    held = gate.of_members(statutory_access(request, by), ThirdPartyProvision)
    return [
        {
            "provided_on": p.provided_on.isoformat(),
            "recipient": p.recipient,
            "category": p.category.name,
            "items": p.items,
            "legal_basis": p.get_legal_basis_display(),
        }
        for p in held.filter(member=request.member).select_related("category")
    ]


@transaction.atomic
def build(*, request: Request, records: Iterable[Record], by) -> Package:
    """Write the package for `request` from `records` (gated by the caller) and return it.

    `records` is iterated a few times (JSON, CSV, and twice for the PDF): a list, not a
    one-shot iterator.
    """
    redactions = _redactions(request)
    provisions = _provisions(request, by)
    tally = {"records": 0, "redacted": 0}

    def counted(rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            tally["records"] += 1
            tally["redacted"] += "redacted" in row
            yield row

    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            # Each member is written as a stream, so no file is held whole in memory.
            with archive.open("records.json", "w") as handle:
                _write_json(handle, counted(_rows(records, redactions)))
            with archive.open("records.csv", "w") as handle:
                _write_csv(handle, _rows(records, redactions), RECORD_COLUMNS)
            with archive.open("disclosure.pdf", "w") as handle:
                _pdf(request, lambda: _rows(records, redactions), provisions, into=handle)
            if request.include_provision_records:
                with archive.open("provisions.json", "w") as handle:
                    _write_json(handle, provisions)
                with archive.open("provisions.csv", "w") as handle:
                    columns = list(provisions[0]) if provisions else ["provided_on"]
                    _write_csv(handle, provisions, columns)
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
