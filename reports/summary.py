"""The daily summaries (reports.models): how they are filled from the trail, and how a page
reads them together with the events they have not counted yet.

`summarise` folds the events past the mark into the summaries, under a lock on the mark,
and moves the mark: run by `manage.py summarise_access` (from cron, say every few minutes;
`--rebuild` starts again from the first event). A page never writes them: `consistent`
gives it a `Source` that adds up the summaries' rows up to the mark and groups the trail's
events after it, with the same expressions (reports.selectors.events.annotated), so its
figures are exact however far behind the summaries are; only slower when far behind.

Summaries made under other settings (office hours, the large-read threshold, the time
zone, the holiday calendar) are not used: the pages count from the trail until
`summarise_access` has rebuilt them, which it does by itself when it sees the change.
"""

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action, stored_names
from reports import conf
from reports.models import (
    CategoryDay,
    EventDay,
    PurposeDay,
    ReadDay,
    RefusalDay,
    StatutoryRead,
    SummaryMark,
)
from reports.period import Period
from reports.selectors.events import annotated

READ, REFUSED = Action.RECORDS_ACCESS_READ, Action.RECORDS_ACCESS_REFUSED
BATCH = 5000
T = TypeVar("T")


def stamp() -> str:
    """The settings the summaries' figures depend on, as the mark records them."""
    return ";".join(
        [
            f"tz={settings.TIME_ZONE}",
            f"opens={conf.setting('OFFICE_OPENS')}",
            f"closes={conf.setting('OFFICE_CLOSES')}",
            f"large={conf.setting('LARGE_READ_ROWS')}",
            f"jpholiday={importlib.metadata.version('jpholiday')}",
        ]
    )


@dataclass(frozen=True)
class Rollup:
    """One summary: the events it counts, the codes it groups them by besides the day,
    and its figures as aggregates over `annotated` events."""

    model: type[models.Model]
    action: Action | None  # None: every event
    keys: tuple[str, ...]
    figures: Callable[[], dict]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.figures())


def _read_figures() -> dict:
    large = conf.setting("LARGE_READ_ROWS")
    return {
        "reads": Count("id"),
        "rows": Coalesce(Sum("rowcount"), 0),
        "large": Count("id", filter=Q(rowcount__gt=large)),
        "outside_reads": Count("id", filter=Q(outside=True)),
        "outside_rows": Coalesce(Sum("rowcount", filter=Q(outside=True)), 0),
    }


READS = Rollup(ReadDay, READ, ("actor_id",), _read_figures)
PURPOSES = Rollup(
    PurposeDay,
    READ,
    ("purpose", "ground", "surface"),
    lambda: {"reads": Count("id"), "rows": Coalesce(Sum("rowcount"), 0)},
)
# Grouped by the event's list of categories, then counted once per category (_by_category).
CATEGORIES = Rollup(CategoryDay, READ, ("category",), lambda: {"reads": Count("id")})
REFUSALS = Rollup(
    RefusalDay,
    REFUSED,
    ("actor_id", "reason", "purpose", "surface"),
    lambda: {"refusals": Count("id")},
)
EVENTS = Rollup(
    EventDay, None, ("action",), lambda: {"events": Count("id"), "first_seq": Min("seq")}
)
# Figures that combine by taking the least; the others add up.
LEAST = {"first_seq"}
# The keys read from an event's details, absent from some events.
CODES = {"ground", "surface", "reason"}
ROLLUPS = (READS, PURPOSES, CATEGORIES, REFUSALS, EVENTS)


def _from_events(rollup: Rollup, events: QuerySet, period: Period, keys) -> list[dict]:
    """`events` (of any action, any period) grouped by `keys` with `rollup`'s figures."""
    if rollup.action is not None:
        events = events.filter(action__in=stored_names(rollup.action))
    events = annotated(events, period)
    if rollup is CATEGORIES:
        return _by_category(events, keys)
    # Sorted by nothing here: a page orders its tables itself.
    rows = list(events.values(*keys).annotate(**rollup.figures()).order_by())
    # A code missing from the details is stored as "" (the summaries' columns are NOT
    # NULL), so it is "" here too, or the two would be counted as two groups.
    for row in rows:
        for key in CODES.intersection(keys):
            if row[key] is None:
                row[key] = ""
    return rows


def _by_category(events: QuerySet, keys) -> list[dict]:
    # A few distinct lists of codes per day, however many events: group by the list, then
    # count each event once for every category in it.
    other = [k for k in keys if k != "category"]
    grouped = (
        events.values(*other, codes=KeyTransform("categories", "details"))
        .annotate(reads=Count("id"))
        .order_by()
    )
    sums: dict[tuple, dict] = {}
    for row in grouped:
        for code in row["codes"] or ():
            key = (*[row[k] for k in other], code)
            total = sums.setdefault(key, {**{k: row[k] for k in other}, "category": code})
            total["reads"] = total.get("reads", 0) + row["reads"]
    return list(sums.values())


def _merged(parts: list[list[dict]], keys, names) -> list[dict]:
    sums: dict[tuple, dict] = {}
    for part in parts:
        for row in part:
            key = tuple(row[k] for k in keys)
            total = sums.setdefault(key, {**{k: row[k] for k in keys}, **dict.fromkeys(names, 0)})
            for name in names:
                total[name] = _combined(name, total[name], row[name])
    return list(sums.values())


def _combined(name: str, kept, new):
    if name in LEAST:
        return min(v for v in (kept, new) if v) if (kept or new) else None
    return (kept or 0) + (new or 0)


@dataclass(frozen=True)
class Source:
    """The figures of a period: the summaries' rows for the events up to `through`, the
    trail's events after it (all of them when `through` is 0)."""

    through: int

    def live(self, period: Period) -> QuerySet:
        start, until = period.bounds
        # Past the mark, the unique index on seq finds the few events not yet summarised.
        return Event.objects.filter(seq__gt=self.through, at__gte=start, at__lt=until)

    def figures(self, rollup: Rollup, period: Period, keys: tuple[str, ...]) -> list[dict]:
        names = rollup.names
        parts = [_from_events(rollup, self.live(period), period, keys)]
        if self.through:
            summarised = (
                rollup.model._default_manager.filter(day__gte=period.start, day__lte=period.end)
                .values(*keys)
                .annotate(**{name: Min(name) if name in LEAST else Sum(name) for name in names})
                .order_by()
            )
            parts.append(list(summarised))
        return _merged(parts, keys, names)

    def first_seq(self, period: Period) -> int:
        """A seq at or below that of every event of the period (0 if not known)."""
        if not self.through:
            return 0
        days = EventDay.objects.filter(day__gte=period.start, day__lte=period.end)
        first = days.aggregate(first=Min("first_seq"))["first"]
        # No summarised event in the period: all of its events come after the mark.
        return first if first is not None else self.through + 1

    def statutory(self, period: Period) -> list[dict]:
        """Each read on a statutory exception: seq, at, actor_id, ground, rows."""
        start, until = period.bounds
        fields = ("seq", "at", "actor_id", "ground", "rows")
        reads = list(_statutory(self.live(period), period).values(*fields))
        if self.through:
            kept = StatutoryRead.objects.filter(at__gte=start, at__lt=until)
            reads += list(kept.values(*fields))
        return sorted(reads, key=lambda r: r["seq"])


def _statutory(events: QuerySet, period: Period) -> QuerySet:
    return (
        annotated(events.filter(action__in=stored_names(READ)), period)
        .filter(details__statutory=True)
        .annotate(rows=Coalesce("rowcount", 0))
    )


def _mark() -> tuple[int, str]:
    mark = SummaryMark.objects.filter(pk=1).values_list("through_seq", "stamp").first()
    return mark or (0, "")


def consistent(build: Callable[[Source], T]) -> T:
    """`build(source)` with the summaries as of one mark.

    The summaries and the mark move together in one transaction, but a page reads them in
    several statements: if the mark moved while it read, it reads again (and after three
    tries counts from the trail alone), so no event is counted twice or missed.
    """
    for _attempt in range(3):
        before = _mark()
        through = before[0] if before[1] == stamp() else 0
        result = build(Source(through))
        if _mark() == before:
            return result
    return build(Source(0))


@dataclass(frozen=True)
class Folded:
    first_seq: int  # the first event folded in (exclusive of the mark before)
    through_seq: int  # the mark after
    events: int
    rebuilt: bool


@transaction.atomic
def summarise(*, rebuild: bool = False, through: int | None = None) -> Folded:
    """Fold the events after the mark, up to `through` (default: the last), into the
    summaries and move the mark. Starts again from the first event when `rebuild` or when
    the settings the summaries depend on changed. Idempotent: run again, it folds nothing.

    Runs under a lock on the mark row, so two runs never fold the same events.
    """
    SummaryMark.objects.get_or_create(pk=1)
    mark = SummaryMark.objects.select_for_update().get(pk=1)
    rebuilt = rebuild or mark.stamp != stamp()
    if rebuilt:
        tables: list[type[models.Model]] = [*(r.model for r in ROLLUPS), StatutoryRead]
        for model in tables:
            model._default_manager.all().delete()
        mark.through_seq, mark.stamp = 0, stamp()
    last = Event.objects.aggregate(last=Max("seq"))["last"] or 0
    head = last if through is None else min(through, last)
    first = mark.through_seq
    tail = Event.objects.filter(seq__gt=first, seq__lte=head)
    span = tail.aggregate(first=Min("at"), last=Max("at"), n=Count("id"))
    if span["n"]:
        zone = timezone.get_current_timezone()
        period = Period(
            timezone.localdate(span["first"], zone), timezone.localdate(span["last"], zone)
        )
        for rollup in ROLLUPS:
            keys = ("day", *rollup.keys)
            _fold(rollup, _from_events(rollup, tail, period, keys), keys, fresh=rebuilt)
        StatutoryRead.objects.bulk_create(
            [
                StatutoryRead(**row)
                for row in _statutory(tail, period).values(
                    "seq", "at", "actor_id", "ground", "rows"
                )
            ],
            batch_size=BATCH,
        )
    mark.through_seq = max(head, first)
    mark.at = timezone.now()
    mark.save()
    return Folded(first + 1, mark.through_seq, span["n"], rebuilt)


def _fold(rollup: Rollup, rows: list[dict], keys: tuple[str, ...], *, fresh: bool) -> None:
    """Add `rows` (grouped by `keys`) to the summary's rows of the same keys."""
    names = rollup.names
    existing: dict[tuple, models.Model] = {}
    if not fresh:
        days = {row["day"] for row in rows}
        for row_kept in rollup.model._default_manager.filter(day__in=days):
            existing[tuple(getattr(row_kept, k) for k in keys)] = row_kept
    created: list[models.Model] = []
    changed: list[models.Model] = []
    for row in rows:
        kept = existing.get(tuple(row[k] for k in keys))
        if kept is None:
            created.append(rollup.model(**{k: row[k] for k in (*keys, *names)}))
            continue
        for name in names:
            setattr(kept, name, _combined(name, getattr(kept, name), row[name]))
        changed.append(kept)
    rollup.model._default_manager.bulk_create(created, batch_size=BATCH)
    rollup.model._default_manager.bulk_update(changed, names, batch_size=BATCH)
