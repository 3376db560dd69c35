"""The disclosure package: what the society holds about a member, as the member receives it.

A ZIP of `records.json`, `records.csv` and `disclosure.pdf` (the readable copy, which is
also what is printed for paper delivery), with `provisions.*` when the 第三者提供記録 were
asked for (APPI Art. 33(5)). The rows come from the caller, read through the gate; what a
partial decision refused is replaced by a marked redaction, never silently left out.
"""

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from records.models import Record, ThirdPartyProvision

from . import letters
from .models import DecisionItem, Kind, Package, Request

LINK_VALID_DAYS = 30
REDACTED = "［不開示］"


def _redactions(request: Request) -> tuple[dict[int, str], dict[int, str]]:
    """What a partial decision withholds: category id -> ground, receipt id -> ground."""
    categories = {
        item.category_id: DecisionItem.Ground(item.ground).label
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


def rows_for(request: Request, records: list[Record]) -> list[dict]:
    categories, receipts = _redactions(request)
    rows = []
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
        rows.append(row)
    return rows


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
                for key, value in row.items()
            }
        )
    # With a BOM, so that spreadsheet software opens the Japanese text correctly.
    return buffer.getvalue().encode("utf-8-sig")


def _pdf(request: Request, rows: list[dict], provisions: list[dict]) -> bytes:
    flowables = [letters.paragraph(_("受付番号 %(r)s") % {"r": request.receipt_number})]
    for row in rows:
        detail = row.get("redacted") and _("不開示（%(g)s）") % {"g": row["redacted"]}
        body = detail or "\n".join(f"{k}：{v}" for k, v in row["payload"].items())
        flowables.append(
            letters.table([(f"{row['date']}\n{row['category']}", f"{row['title']}\n{body}")])
        )
    if provisions:
        flowables.append(letters.paragraph(_("第三者提供記録")))
        flowables.extend(
            letters.table([(p["provided_on"], f"{p['recipient']}\n{p['category']}")])
            for p in provisions
        )
    return letters.render(_("保有個人データの開示"), flowables)


@transaction.atomic
def build(*, request: Request, records: list[Record], by) -> Package:
    """Write the package for `request` from `records` (gated by the caller) and return it."""
    rows = rows_for(request, records)
    provisions = []
    if request.include_provision_records:
        provisions = [
            {
                "provided_on": p.provided_on.isoformat(),
                "recipient": p.recipient,
                "category": p.category.name,
                "items": p.items,
                "legal_basis": p.get_legal_basis_display(),
            }
            for p in ThirdPartyProvision.objects.filter(member=request.member).select_related(
                "category"
            )
        ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(rows, ensure_ascii=False, indent=1))
        archive.writestr(
            "records.csv", _csv(rows, ["id", "category", "date", "title", "payload", "redacted"])
        )
        archive.writestr("disclosure.pdf", _pdf(request, rows, provisions))
        if request.include_provision_records:
            archive.writestr("provisions.json", json.dumps(provisions, ensure_ascii=False))
            archive.writestr(
                "provisions.csv",
                _csv(provisions, list(provisions[0]) if provisions else ["provided_on"]),
            )
    content = buffer.getvalue()
    made = Package(
        request=request,
        sha256=hashlib.sha256(content).hexdigest(),
        expires_at=timezone.now() + timedelta(days=LINK_VALID_DAYS),
    )
    made.file.save(f"{request.receipt_number}.zip", ContentFile(content), save=False)
    made.save()
    trail.append(
        action="disclosure.package_built",
        actor=trail.actor_for(by),
        target=made,
        details={
            "request": request.pk,
            "records": len(rows),
            "redacted": sum("redacted" in row for row in rows),
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
        action="disclosure.package_downloaded",
        actor=trail.Actor(trail.PUBLIC),
        target=package,
        details={"request": package.request_id},
    )
    return package
