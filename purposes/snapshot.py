"""The notice as one JSON document: frozen into a `NoticeRevision`, compared, displayed.

`build_snapshot` reads the draft (the live rows); a revision keeps what it returned. The
snapshot carries the register's ids and codes so that `purposes.register` can answer
access questions from it alone, and plain text for everything the public page shows.
Nothing here writes.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Category, Notice, Permission

# The parts of a snapshot, as the admin names them when the draft differs from the notice.
PARTS = {
    "society_name": _("組合名"),
    "title": _("表題"),
    "headings": _("見出し"),
    "intro": _("利用目的の前文"),
    "register": _("個人情報の類型と利用目的"),
    "notes": _("注記"),
    "exemptions": _("通知・公表を行わない場合"),
    "safeguards": _("安全管理措置"),
    "requests": _("開示等の請求に応じる手続"),
    "desk": _("苦情の申出先"),
}


def build_snapshot() -> dict:
    """The draft notice (live rows) as the document a revision freezes."""
    notice = Notice.objects.prefetch_related("notes", "exemptions", "safeguards").get(pk=1)
    permissions_by_category: dict[int, list[dict]] = {}
    for permission in Permission.objects.select_related("purpose").order_by(
        "category_id", "order", "valid_from", "id"
    ):
        row = {
            "purpose_id": permission.purpose_id,
            "purpose_code": permission.purpose.code,
            "purpose": permission.purpose.name,
            "valid_from": permission.valid_from.isoformat(),
            "valid_until": permission.valid_until and permission.valid_until.isoformat(),
        }
        if permission.purpose.consent:  # only then: a revision without one keeps its digest
            row["purpose_consent"] = permission.purpose.consent
        permissions_by_category.setdefault(permission.category_id, []).append(row)
    return {
        "society_name": notice.society_name,
        "title": notice.title,
        "headings": {
            "purposes": notice.purposes_heading,
            "safeguards": notice.safeguards_heading,
            "requests": notice.requests_heading,
            "complaints": notice.complaints_heading,
        },
        "intro": notice.intro,
        "register": [
            {
                "id": category.pk,
                "code": category.code,
                "name": category.name,
                "sensitive": category.sensitive,
                "includes_my_number": category.includes_my_number,
                "permissions": permissions_by_category.get(category.pk, []),
            }
            for category in Category.objects.all()
        ],
        "notes": [note.text for note in notice.notes.all()],
        "exemptions": [exemption.text for exemption in notice.exemptions.all()],
        "safeguards": [
            {"code": s.code, "name": s.name, "text": s.text} for s in notice.safeguards.all()
        ],
        "requests": {"text": notice.requests_text, "page": notice.requests_page},
        "desk": {
            "department": notice.desk_department,
            "postal_code": notice.desk_postal_code,
            "address": notice.desk_address,
            "phone": notice.desk_phone,
        },
    }


def digest(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON: equal digests, equal notices."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def differences(draft: dict, published: dict | None) -> list[str]:
    """The names of the parts in which the draft differs from the published notice."""
    return [
        str(label)
        for key, label in PARTS.items()
        if published is None or draft.get(key) != published.get(key)
    ]


@dataclass(frozen=True)
class DisplayedPurpose:
    name: str
    starts: datetime.date | None  # shown when the purpose starts after the reference day
    ends: datetime.date | None


@dataclass(frozen=True)
class DisplayedCategory:
    name: str
    purposes: list[DisplayedPurpose]


def displayed_register(snapshot: dict, *, on: datetime.date) -> list[DisplayedCategory]:
    """The register as the notice prints it on a day: ended purposes left out, dates shown
    for purposes that have not started yet or that will end."""
    rows = []
    for category in snapshot["register"]:
        purposes = []
        for permission in category["permissions"]:
            starts = datetime.date.fromisoformat(permission["valid_from"])
            ends = permission["valid_until"] and datetime.date.fromisoformat(
                permission["valid_until"]
            )
            if ends and ends < on:
                continue
            purposes.append(
                DisplayedPurpose(permission["purpose"], starts if starts > on else None, ends)
            )
        if purposes:
            rows.append(DisplayedCategory(category["name"], purposes))
    return rows
