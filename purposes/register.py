"""What the register permits: the questions the gate asks on every request for personal data.

Answers come from the revision of the notice in force on the day asked (the latest
published with `effective_on <= on`) and from each permission's own dates, never from the
draft rows: a change in the admin has no effect until it is published (APPI Art. 21(3)).
Revisions never change, so each one is parsed once per process and kept by its digest,
which stays right even where a test database reuses ids. Read-only: nothing here writes.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone

from .models import Category, NoticeRevision, Purpose

Period = tuple[datetime.date, datetime.date | None]  # valid_from, valid_until (inclusive)


@dataclass(frozen=True)
class _Register:
    category_ids: dict[str, int]  # code -> id, as published
    purpose_ids: dict[str, int]
    periods: dict[tuple[int, int], tuple[Period, ...]]  # (category id, purpose id) -> periods
    purpose_order: tuple[int, ...]  # purpose ids by first appearance in the notice
    purpose_names: dict[int, str]  # id -> name, as published
    purpose_consent: dict[int, str]  # id -> Purpose.Consent, as published (absent: not needed)
    category_codes: dict[int, str]  # id -> code, as published


def _periods_cover(periods: Iterable[Period], on: datetime.date) -> bool:
    return any(start <= on and (end is None or on <= end) for start, end in periods)


def _period(permission: dict) -> Period:
    """A permission's dates, as a revision's snapshot keeps them."""
    until = permission["valid_until"]
    return datetime.date.fromisoformat(permission["valid_from"]), until and (
        datetime.date.fromisoformat(until)
    )


@lru_cache(maxsize=64)
def _parse(digest: str) -> _Register:
    snapshot = NoticeRevision.objects.filter(digest=digest).values_list("snapshot", flat=True)[0]
    periods: dict[tuple[int, int], list[Period]] = {}
    purpose_ids: dict[str, int] = {}
    purpose_names: dict[int, str] = {}
    purpose_consent: dict[int, str] = {}
    for category in snapshot["register"]:
        for permission in category["permissions"]:
            purpose_ids.setdefault(permission["purpose_code"], permission["purpose_id"])
            purpose_names.setdefault(permission["purpose_id"], permission["purpose"])
            if "purpose_consent" in permission:
                purpose_consent[permission["purpose_id"]] = permission["purpose_consent"]
            periods.setdefault((category["id"], permission["purpose_id"]), []).append(
                _period(permission)
            )
    return _Register(
        category_ids={category["code"]: category["id"] for category in snapshot["register"]},
        purpose_ids=purpose_ids,
        periods={key: tuple(value) for key, value in periods.items()},
        purpose_order=tuple(purpose_ids.values()),
        purpose_names=purpose_names,
        purpose_consent=purpose_consent,
        category_codes={category["id"]: category["code"] for category in snapshot["register"]},
    )


def revision_in_force(*, on: datetime.date) -> NoticeRevision | None:
    """The published revision that governs `on`, or None before the first one takes effect."""
    return (
        NoticeRevision.objects.filter(effective_on__lte=_day(on))
        .order_by("-effective_on", "-number")
        .first()
    )


def _register_on(on: datetime.date) -> _Register | None:
    digest = (
        NoticeRevision.objects.filter(effective_on__lte=on)
        .order_by("-effective_on", "-number")
        .values_list("digest", flat=True)
        .first()
    )
    return None if digest is None else _parse(digest)


def _day(on: datetime.date) -> datetime.date:
    # A moment counts on its day in Asia/Tokyo, not in UTC: 00:30 JST on 1 April is 1 April.
    return timezone.localdate(on) if isinstance(on, datetime.datetime) else on


def _id(value: Category | Purpose | str, ids: dict[str, int]) -> int | None:
    return ids.get(value) if isinstance(value, str) else value.pk


def permits(*, category: Category | str, purpose: Purpose | str, on: datetime.date) -> bool:
    """Whether the notice in force on `on` lets `category` be used for `purpose` that day.

    `category` and `purpose` are instances or codes; `on` is a date (a datetime counts on
    its day in Asia/Tokyo). False for anything the published register does not name.
    """
    on = _day(on)
    register = _register_on(on)
    if register is None:
        return False
    category_id = _id(category, register.category_ids)
    purpose_id = _id(purpose, register.purpose_ids)
    if category_id is None or purpose_id is None:
        return False
    return _periods_cover(register.periods.get((category_id, purpose_id), ()), on)


def permitted_category_ids(*, purpose: Purpose | str, on: datetime.date) -> set[int]:
    """The ids of the categories that may be used for `purpose` on `on` (for `category_id IN`)."""
    on = _day(on)
    register = _register_on(on)
    if register is None:
        return set()
    purpose_id = _id(purpose, register.purpose_ids)
    return {
        category_id
        for (category_id, permitted), periods in register.periods.items()
        if permitted == purpose_id and _periods_cover(periods, on)
    }


@dataclass(frozen=True)
class Answer:
    """What the register says of one purpose on one day (`answer`)."""

    purpose: Purpose | None  # as published (id, code, name); None if the register lacks it
    category_ids: frozenset[int]  # the categories it may be used for that day
    category_codes: dict[int, str]  # every published category: id -> code


def answer(*, purpose: str, on: datetime.date) -> Answer:
    """The purpose `purpose` (a code), the categories it may be used for on `on`, and the
    published categories' codes: the gate's whole question, from one query (the revision
    in force; its parse is kept), where asking `permitted_category_ids` and then reading
    `Purpose` and `Category` would take three.
    """
    on = _day(on)
    return _answer(_register_on(on), purpose=purpose, on=on)


def answer_from(digest: str | None, *, purpose: str, on: datetime.date) -> Answer:
    """`answer`, where the caller has already read the digest of the revision in force on
    `on` (None before the first one): the gate reads it in its own opening statement.
    """
    on = _day(on)
    return _answer(None if digest is None else _parse(digest), purpose=purpose, on=on)


def _answer(register: _Register | None, *, purpose: str, on: datetime.date) -> Answer:
    if register is None or purpose not in register.purpose_ids:
        codes = {} if register is None else register.category_codes
        return Answer(purpose=None, category_ids=frozenset(), category_codes=codes)
    purpose_id = register.purpose_ids[purpose]
    return Answer(
        purpose=Purpose(
            pk=purpose_id,
            code=purpose,
            name=register.purpose_names[purpose_id],
            consent=register.purpose_consent.get(purpose_id, Purpose.Consent.NOT_NEEDED),
        ),
        category_ids=frozenset(
            category_id
            for (category_id, permitted), periods in register.periods.items()
            if permitted == purpose_id and _periods_cover(periods, on)
        ),
        category_codes=register.category_codes,
    )


def purposes_for(*, category_ids: Iterable[int], on: datetime.date) -> list[Purpose]:
    """The purposes permitted on `on` for at least one of the categories, in the notice's order."""
    on = _day(on)
    register = _register_on(on)
    if register is None:
        return []
    wanted = set(category_ids)
    permitted = {
        purpose_id
        for (category_id, purpose_id), periods in register.periods.items()
        if category_id in wanted and _periods_cover(periods, on)
    }
    by_id = Purpose.objects.in_bulk(permitted)
    return [by_id[pid] for pid in register.purpose_order if pid in by_id]


def codes_in_force(*, on: datetime.date) -> tuple[NoticeRevision | None, list[dict]]:
    """The revision in force on `on` and its categories, each with the purposes it permits
    that day ({"code", "name", "sensitive", "purposes": [{"code", "name"}]}), in the
    notice's order: the codes a caller names as `purpose` (the API lists them).
    """
    on = _day(on)
    revision = revision_in_force(on=on)
    if revision is None:
        return None, []
    categories = []
    for category in revision.snapshot["register"]:
        purposes = [
            {"code": permission["purpose_code"], "name": permission["purpose"]}
            for permission in category["permissions"]
            if _periods_cover([_period(permission)], on)
        ]
        categories.append(
            {
                "code": category["code"],
                "name": category["name"],
                "sensitive": category["sensitive"],
                "purposes": purposes,
            }
        )
    return revision, categories
