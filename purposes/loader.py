"""Load a society's notice file into the register, and publish it as revision 1.

The default is the project's own copy of the society's notice (`data/notice-ja.md`), with
the stable codes of `data/codes.toml`. Loading fills an install that has not published
yet; once a revision exists the register belongs to the privacy officer, and loading
changes nothing, so the demo and deployment scripts may run it every time.
"""

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from audit.trail import SYSTEM, append
from audit.vocabulary import Action

from . import services
from .models import (
    Category,
    Exemption,
    Note,
    Notice,
    NoticeRevision,
    Permission,
    Purpose,
    Safeguard,
)
from .notice import DEFAULT_NOTICE, ParsedCategory, ParsedNotice, parse_notice

DEFAULT_CODES = Path(__file__).resolve().parent / "data" / "codes.toml"

# The purpose defined by the My Number Act: a category that permits it holds the 個人番号.
MY_NUMBER_LINKAGE = "my-number-linkage"


class MissingCode(ValueError):
    """The notice holds a name that the codes file does not map to a code."""


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    revision: NoticeRevision | None = None  # revision 1, when this load published it


def load_register(
    *,
    notice_path: Path = DEFAULT_NOTICE,
    codes_path: Path = DEFAULT_CODES,
    since: datetime.date | None = None,
) -> LoadResult:
    """Load the notice into the draft and publish it, unless a revision exists already.

    Rows are matched by code and only missing ones are created. `since` (default: today,
    Asia/Tokyo) is when the loaded permissions and revision 1 take effect. Raises
    `MissingCode` or `NoticeFormatError` before writing anything.
    """
    parsed = parse_notice(notice_path)
    codes = tomllib.loads(codes_path.read_text(encoding="utf-8"))
    _check_codes(parsed, codes)
    since = since or timezone.localdate()
    with transaction.atomic():
        if NoticeRevision.objects.exists():
            return LoadResult()
        result = LoadResult(created=_write(parsed, codes, since=since))
        append(
            action=Action.PURPOSES_REGISTER_LOADED,
            actor=SYSTEM,
            target_type="purposes.notice",
            target_id=1,
            details=result.created,
        )
        result.revision = services.publish(
            method=NoticeRevision.Method.WEBSITE, by=SYSTEM, effective=since
        )
    return result


def _check_codes(parsed: ParsedNotice, codes: dict) -> None:
    sections = {
        "categories": [category.name for category in parsed.register],
        "purposes": [purpose for category in parsed.register for purpose in category.purposes],
        "safeguards": [safeguard.name for safeguard in parsed.safeguards],
    }
    missing = [
        f"[{section}] {name}"
        for section, names in sections.items()
        for name in dict.fromkeys(names)
        if name not in codes.get(section, {})
    ]
    if missing:
        raise MissingCode("no code for: " + "; ".join(missing))


def _write(parsed: ParsedNotice, codes: dict, *, since: datetime.date) -> dict[str, int]:
    """Insert what the install lacks, one statement per table: a load runs on every demo
    start and deployment, and in most tests."""
    notice, _ = Notice.objects.get_or_create(
        pk=1,
        defaults={
            "society_name": parsed.society_name,
            "title": parsed.title,
            "purposes_heading": parsed.headings[0],
            "intro": parsed.intro,
            "safeguards_heading": parsed.headings[1],
            "requests_heading": parsed.headings[2],
            "requests_text": parsed.requests_text,
            # The notice file prints a placeholder where the procedure's page goes; the
            # install has that page (disclosure's /requests/), so the notice links to it.
            # The file keeps the placeholder, as the printed notice said.
            "requests_page": reverse("disclosure:procedure"),
            "complaints_heading": parsed.headings[3],
            "desk_department": parsed.desk_department,
            "desk_postal_code": parsed.desk_postal_code,
            "desk_address": parsed.desk_address,
            "desk_phone": parsed.desk_phone,
        },
    )
    categories = [
        _category(order, parsed_category, codes)
        for order, parsed_category in enumerate(parsed.register, start=1)
    ]
    purposes = [
        Purpose(code=codes["purposes"][name], name=name)
        for parsed_category in parsed.register
        for name in parsed_category.purposes
    ]
    created = {
        "categories": _add_missing(Category, categories, "code"),
        "purposes": _add_missing(Purpose, purposes, "code"),
    }
    category_ids = dict(Category.objects.values_list("code", "id"))
    purpose_ids = dict(Purpose.objects.values_list("code", "id"))
    created["permissions"] = _add_missing(
        Permission,
        [
            Permission(
                category_id=category_ids[category.code],
                purpose_id=purpose_ids[codes["purposes"][name]],
                order=position,
                valid_from=since,
            )
            for category, parsed_category in zip(categories, parsed.register, strict=True)
            for position, name in enumerate(parsed_category.purposes, start=1)
        ],
        "category_id",
        "purpose_id",
    )
    created["notes"] = _add_missing(
        Note,
        [Note(notice=notice, order=order, text=text) for order, text in enumerate(parsed.notes, 1)],
        "order",
    )
    created["exemptions"] = _add_missing(
        Exemption,
        [
            Exemption(notice=notice, order=order, text=text)
            for order, text in enumerate(parsed.exemptions, start=1)
        ],
        "order",
    )
    created["safeguards"] = _add_missing(
        Safeguard,
        [
            Safeguard(
                notice=notice,
                code=codes["safeguards"][safeguard.name],
                order=order,
                name=safeguard.name,
                text=safeguard.text,
            )
            for order, safeguard in enumerate(parsed.safeguards, start=1)
        ],
        "code",
    )
    return created


def _category(order: int, parsed: ParsedCategory, codes: dict) -> Category:
    mapping = codes["categories"][parsed.name]
    return Category(
        code=mapping["code"],
        name=parsed.name,
        order=order,
        sensitive=mapping["sensitive"],
        includes_my_number=any(
            codes["purposes"][name] == MY_NUMBER_LINKAGE for name in parsed.purposes
        ),
        retention_years=mapping.get("retention_years"),
        retention_from=mapping.get("retention_from", Category.RetentionFrom.RECORD),
        retention_shorter_on_loss=mapping.get("retention_shorter_on_loss", False),
        retention_basis=mapping.get("retention_basis", ""),
    )


def _add_missing(model: type[models.Model], rows: list, *key: str) -> int:
    """Insert, in one statement, those of `rows` whose `key` no row of `model` has (the first
    of several rows that share one); how many. A notice names a purpose under each category
    that has it, and there is one notice (pk=1), so its notes are keyed by order alone."""
    held = set(model._default_manager.values_list(*key))
    new: dict[tuple, models.Model] = {}
    for row in rows:
        value = tuple(getattr(row, field) for field in key)
        if value not in held:
            new.setdefault(value, row)
    model._default_manager.bulk_create(new.values())
    return len(new)
