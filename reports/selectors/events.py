"""The audit events behind a figure: the drill-down of every row of the access review.

`filtered` reads the trail with the same expressions the access review groups by, so a
row's count and the length of its event list agree.
"""

import datetime
import functools
from typing import TypedDict
from urllib.parse import urlencode

import jpholiday
from django import forms
from django.core.validators import RegexValidator
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Case, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, ExtractIsoWeekDay, TruncDate, TruncTime
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import WithAnnotations

from audit.models import Event
from audit.vocabulary import Action, declared, label, stored_names
from reports import conf
from reports.period import Period
from reports.tables import Report, Table

from .details import STAFF_KEYS, Namer
from .names import ground_name, staff_names

# The event list stops here: the auditor narrows the filter rather than scrolls further.
LIMIT = 500


class Annotations(TypedDict):
    """What `annotated` adds to each event, as django-stubs types the expressions (the
    keys read from the details are NULL where an event's details lack them)."""

    day: datetime.date
    clock: datetime.time
    weekday: int
    surface: str
    ground: str
    reason: str
    rowcount: int
    outside: bool


# The return type is quoted: WithAnnotations takes its second argument only for mypy.
def annotated(
    events: QuerySet[Event], period: Period
) -> "QuerySet[WithAnnotations[Event, Annotations]]":
    """`events` with their Tokyo day, whether they fell outside office hours, and the
    surface, rows and statutory ground their details record."""
    zone = timezone.get_current_timezone()
    holidays = [day for day, _name in jpholiday.between(period.start, period.end)]
    outside = (
        Q(weekday__gte=6)
        | Q(day__in=holidays)
        | Q(clock__lt=conf.setting("OFFICE_OPENS"))
        | Q(clock__gte=conf.setting("OFFICE_CLOSES"))
    )
    return events.annotate(
        day=TruncDate("at", tzinfo=zone),
        clock=TruncTime("at", tzinfo=zone),
        weekday=ExtractIsoWeekDay("at", tzinfo=zone),
        surface=KT("details__surface"),
        ground=KT("details__ground"),
        reason=KT("details__reason"),
        rowcount=Cast(KT("details__rows"), BigIntegerField()),
    ).annotate(outside=Case(When(outside, then=Value(True)), default=Value(False)))


def in_period(period: Period, *actions: Action) -> QuerySet:
    start, until = period.bounds
    names = [name for action in actions for name in stored_names(action)]
    # (action, at) is indexed: audit_event_action_at.
    return Event.objects.filter(action__in=names, at__gte=start, at__lt=until)


def with_category(events: QuerySet, code: str) -> QuerySet:
    """Events whose details list the category `code` (a JSON array, per vendor)."""
    if connection.vendor == "postgresql":
        sql = "(audit_event.details -> 'categories') ? %s"
    else:
        sql = (
            "EXISTS (SELECT 1 FROM json_each(audit_event.details, '$.categories') "
            "WHERE json_each.value = %s)"
        )
    return events.annotate(
        # The code is a parameter, never spliced into the SQL.
        has_category=RawSQL(sql, (code,), output_field=BooleanField())  # noqa: S611
    ).filter(has_category=True)


def _code(**kwargs) -> forms.CharField:
    # Codes only: the filter is recorded in the view's audit event, which holds no values.
    return forms.CharField(required=False, max_length=64, validators=[_CODE], **kwargs)


_CODE = RegexValidator(r"^[A-Za-z0-9_.:\-]*$", gettext_lazy("コードで指定してください。"))


class EventFilter(forms.Form):
    """The drill-down's filter, as the access review writes it into its links."""

    action = _code()
    actor = forms.IntegerField(required=False)
    purpose = _code()
    surface = _code()
    category = _code()
    ground = _code()
    reason = _code()
    day = forms.DateField(required=False)
    outside = forms.BooleanField(required=False)
    min_rows = forms.IntegerField(required=False, min_value=0)
    seq = forms.IntegerField(required=False, label=gettext_lazy("連番"))
    # The reads opened to answer one request (by its id), or the statutory reads not so.
    for_request = forms.IntegerField(required=False, min_value=1)
    exceptional = forms.BooleanField(required=False)

    def applied(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


def url(period: Period, **filters) -> str:
    query = {"start": period.start, "end": period.end, **filters}
    return f"{_events_path(get_script_prefix())}?{urlencode(query)}"


@functools.cache
def _events_path(prefix: str) -> str:
    # A report links thousands of rows: reverse once per script prefix, not once per row.
    return reverse("reports:events")


def filtered(period: Period, filters: dict, *, first_seq: int = 0) -> QuerySet:
    """The period's events that match `filters`, by seq; none below `first_seq` is asked
    for (a bound from the summaries: no event of the period lies below it)."""
    start, until = period.bounds
    in_time = Event.objects.filter(at__gte=start, at__lt=until)
    if first_seq:
        in_time = in_time.filter(seq__gte=first_seq)
    events = annotated(in_time, period)
    exact = {"purpose", "day", "outside", "seq"}
    events = events.filter(**{k: v for k, v in filters.items() if k in exact})
    if "action" in filters:
        # The action's name today or any it had before: old events keep their names.
        action = declared(filters["action"])
        names = stored_names(action) if action is not None else [filters["action"]]
        events = events.filter(action__in=names)
    # Keys of the details by JSON path, which both databases compare as JSON strings.
    in_details = {"surface", "ground", "reason"}
    events = events.filter(**{f"details__{k}": v for k, v in filters.items() if k in in_details})
    if "actor" in filters:
        events = events.filter(actor_id=filters["actor"])
    if "min_rows" in filters:
        events = events.filter(rowcount__gte=filters["min_rows"])
    if "category" in filters:
        events = with_category(events, filters["category"])
    if "for_request" in filters:
        events = events.filter(
            target_type="disclosure.request", target_id=str(filters["for_request"])
        )
    if "exceptional" in filters:
        # The same test as the access review's: statutory, not on the requests' surface.
        events = events.filter(details__statutory=True).exclude(details__surface="disclosure")
    return events.order_by("seq")


def event_list(period: Period, filters: dict) -> Report:
    from reports import summary  # it builds on this module's `annotated`

    # The list walks the trail by seq from the period's first event, which the summaries
    # know; else from the first event ever, however long before the period.
    first_seq = summary.consistent(lambda source: source.first_seq(period))
    events = list(
        filtered(period, filters, first_seq=first_seq).values(
            "seq", "at", "actor_id", "action", "purpose", "target_type", "target_id", "details"
        )[: LIMIT + 1]
    )
    names = staff_names(
        [e["actor_id"] for e in events]
        + [e["details"].get(key) for e in events for key in STAFF_KEYS if _is_id(e, key)]
    )
    namer = Namer(names)
    rows = [
        (
            e["seq"],
            e["at"],
            names.get(e["actor_id"], e["actor_id"]),
            label(e["action"]),
            namer.purposes.get(e["purpose"], e["purpose"])
            or ground_name(e["details"].get("ground")),
            namer.target(e["target_type"], e["target_id"]),
            namer.details(e["details"], e["target_type"]),
        )
        for e in events[:LIMIT]
    ]
    note = _("先頭の%(n)d件を表示しています。条件を絞ってください。") % {"n": LIMIT}
    table = Table(
        _("監査イベント"),
        (_("連番"), _("日時"), _("実行者"), _("操作"), _("利用目的"), _("対象"), _("詳細")),
        rows,
        note=note if len(events) > LIMIT else "",
    )
    return Report("events", _("監査イベントの一覧"), period, [table])


def _is_id(event: dict, key: str) -> bool:
    return isinstance(event["details"].get(key), int)
