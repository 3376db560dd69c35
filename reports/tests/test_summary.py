"""The daily summaries: figures from them equal the figures counted from the events, and
folding in new events is exact (nothing counted twice, a second run changes nothing)."""

import datetime

import jpholiday
import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from audit.trail import SYSTEM, Actor, append
from audit.vocabulary import Action, ActorKind
from reports import summary
from reports.models import CategoryDay, EventDay, PurposeDay, ReadDay, RefusalDay, SummaryMark
from reports.period import Period
from reports.selectors.access import access_review
from reports.selectors.trail import trail

from .conftest import jst, next_holiday_on_a_weekday, next_working_day, table

pytestmark = pytest.mark.django_db

KENSHIN, RECEIPTS = "checkup-reminder", "benefit-review-and-payment"


@pytest.fixture
def at(clock):
    """Append an event as if at `moment`."""

    def at(moment, action, *, actor=None, purpose="", **details):
        with clock(moment):
            append(
                action=action,
                actor=Actor(ActorKind.USER, actor) if actor else SYSTEM,
                purpose=purpose,
                details=details,
            )

    return at


def read(
    at,
    moment,
    actor,
    *,
    purpose=KENSHIN,
    surface="admin",
    categories=("health-checks",),
    rows=1,
    **more,
):
    at(
        moment,
        Action.RECORDS_ACCESS_READ,
        actor=actor,
        purpose=purpose,
        surface=surface,
        members=[1],
        categories=list(categories),
        rows=rows,
        **more,
    )


@pytest.fixture
def days():
    working = next_working_day(timezone.localdate())
    return {
        "working": working,
        "next": working + datetime.timedelta(days=1),
        "holiday": next_holiday_on_a_weekday(working),
    }


@pytest.fixture
def period(days):
    return Period(timezone.localdate(), days["holiday"] + datetime.timedelta(days=1))


@pytest.fixture
def trail_events(at, days, handler_kenshin, privacy_officer, settings):
    """Reads in and out of hours, at the day's edges, on a holiday, large and statutory,
    of two categories, through two surfaces; refusals; other events."""
    settings.REPORTS_LARGE_READ_ROWS = 10
    one, two = handler_kenshin.pk, privacy_officer.pk
    working, holiday = days["working"], days["holiday"]
    read(at, jst(working, 10), one)  # in hours
    read(at, jst(working, 8, 29), one, surface="api")  # before opening
    read(at, jst(working, 18), two, rows=12)  # at closing, large
    read(at, jst(working, 23, 59), two, categories=("health-checks", "receipts"))
    read(at, jst(days["next"], 0, 0), two, purpose=RECEIPTS, categories=("receipts",))
    read(at, jst(holiday, 11), one, rows=3)  # a public holiday, in office hours
    read(at, jst(holiday, 12), one, purpose="", statutory=True, ground="law")
    read(at, jst(working, 9), None, surface="disclosure")  # no staff actor
    at(
        jst(working, 11),
        Action.RECORDS_ACCESS_REFUSED,
        actor=two,
        purpose=RECEIPTS,
        surface="admin",
        reason="out_of_scope",
    )
    at(
        jst(holiday, 11),
        Action.RECORDS_ACCESS_REFUSED,
        actor=one,
        purpose=KENSHIN,
        surface="admin",
        reason="standing_lapsed",
    )
    at(jst(working, 12), Action.RECORDS_RECORD_CHANGED, actor=one, fields=["date"])


def figures(report) -> list[tuple]:
    return [(t.title, t.rows, t.links) for t in report.tables]


def counted_from_events(period: Period, source: summary.Source):
    return (
        figures(summary.consistent(lambda _s: access_review(period))),
        figures(trail(period)),
    )


def directly(period: Period) -> tuple[list, list]:
    """The figures with the summaries ignored: every event read from the trail."""
    from reports.selectors import access as access_selector
    from reports.selectors import trail as trail_selector

    source = summary.Source(0)
    return (
        figures(access_selector._review(period, source)),
        figures(trail_selector._trail(period, source)),
    )


def summarised(period: Period) -> tuple[list, list]:
    return figures(access_review(period)), figures(trail(period))


def through() -> int:
    return summary.consistent(lambda source: source.through)


def test_the_events_are_counted_on_their_tokyo_day_and_hour(trail_events, period, days):
    """The figures, counted by hand from the events, as the page shows them."""
    summary.summarise()
    report = access_review(period)
    tables = {t.title.split("（")[0]: t.rows for t in report.tables}

    def is_outside(moment):
        local = timezone.localtime(moment)
        return (
            local.weekday() >= 5
            or jpholiday.is_holiday(local.date())
            or not datetime.time(8, 30) <= local.time() < datetime.time(18)
        )

    reads = list(Event.objects.filter(action=Action.RECORDS_ACCESS_READ))
    per_day: dict = {}
    for event in reads:
        day = timezone.localdate(event.at)
        per_day[day] = per_day.get(day, 0) + 1
    assert [(d, n) for d, n, _rows in tables["日別の閲覧回数"]] == sorted(per_day.items())
    assert per_day[days["working"]] == 5  # 8:29, 9:00, 10:00, 18:00 and 23:59
    assert per_day[days["next"]] == 1  # 0:00 the next day
    outside = sorted((timezone.localdate(e.at), e.actor_id or 0) for e in reads if is_outside(e.at))
    shown = tables["勤務時間外の閲覧"]
    assert sum(row[2] for row in shown) == len(outside) == 6
    categories = {}
    for event in reads:
        for code in event.details["categories"]:
            categories[code] = categories.get(code, 0) + 1
    assert sorted(n for _name, n in tables["類型別の閲覧"]) == sorted(categories.values())
    assert [row[1:] for row in tables["大量閲覧"]] == [(1,)]
    assert len(tables["法令に基づく例外による閲覧"]) == 1
    assert sum(row[4] for row in tables["拒否されたアクセス"]) == 2


def test_the_summarised_figures_equal_the_figures_counted_from_the_events(trail_events, period):
    from_events = directly(period)
    assert through() == 0  # nothing summarised yet: the page counts the events

    summary.summarise()

    assert through() == Event.objects.order_by("-seq").first().seq
    assert summarised(period) == from_events
    assert ReadDay.objects.exists() and PurposeDay.objects.exists()


def test_new_events_are_counted_before_and_after_they_are_folded_in_once(
    trail_events, at, period, days, handler_kenshin
):
    summary.summarise()
    read(at, jst(days["working"], 20), handler_kenshin.pk)  # a day already summarised
    read(at, jst(days["holiday"], 23, 59), handler_kenshin.pk, categories=("receipts",))
    at(
        jst(days["holiday"], 9),
        Action.RECORDS_ACCESS_REFUSED,
        actor=handler_kenshin.pk,
        reason="out_of_scope",
        surface="admin",
    )

    assert summarised(period) == directly(period)  # the summaries and the events past the mark

    folded = summary.summarise()
    assert folded.events == 3 and not folded.rebuilt
    assert summarised(period) == directly(period)
    again = summary.summarise()
    assert again.events == 0
    assert summarised(period) == directly(period)
    reads = Event.objects.filter(action=Action.RECORDS_ACCESS_READ)
    assert sum(ReadDay.objects.values_list("reads", flat=True)) == reads.count()
    assert sum(PurposeDay.objects.values_list("reads", flat=True)) == reads.count()
    assert sum(RefusalDay.objects.values_list("refusals", flat=True)) == 3
    assert sum(EventDay.objects.values_list("events", flat=True)) == Event.objects.count()
    touched = sum(len(e.details["categories"]) for e in reads)
    assert sum(CategoryDay.objects.values_list("reads", flat=True)) == touched


def test_a_summary_made_in_part_is_completed_by_the_events_after_its_mark(trail_events, period):
    middle = Event.objects.order_by("seq").values_list("seq", flat=True)[5]

    summary.summarise(through=middle)

    assert through() == middle
    assert summarised(period) == directly(period)


def test_summaries_of_other_office_hours_are_not_used_until_rebuilt(trail_events, period, settings):
    summary.summarise()
    settings.REPORTS_OFFICE_CLOSES = datetime.time(23, 0)

    assert through() == 0  # the page counts from the events, with the new hours
    assert summarised(period) == directly(period)
    assert summary.summarise().rebuilt
    assert through() > 0
    assert summarised(period) == directly(period)


def test_the_command_folds_and_rebuilds(trail_events, period, capsys):
    events = Event.objects.count()
    call_command("summarise_access")  # the first run starts from the first event
    assert f"rebuilt {events} events" in capsys.readouterr().out
    call_command("summarise_access")
    assert "folded 0 events" in capsys.readouterr().out

    call_command("summarise_access", "--rebuild")

    assert f"rebuilt {events} events" in capsys.readouterr().out
    assert SummaryMark.objects.get().through_seq == Event.objects.order_by("-seq").first().seq
    assert summarised(period) == directly(period)


def test_the_access_review_page_reads_the_summaries(as_auditor, trail_events, period):
    summary.summarise()

    page = as_auditor.get(f"/reports/access/?{period.query()}")

    assert page.status_code == 200
    assert table(page, "担当者別の閲覧")[0] == ["handler_kenshin", "4", "6", "0", "3"]


def test_the_drill_down_lists_the_same_events_with_and_without_the_summaries(
    as_auditor, trail_events, at, period, days, handler_kenshin
):
    read(at, jst(period.start - datetime.timedelta(days=2), 10), handler_kenshin.pk)  # before
    queries = [
        f"{period.query()}&action=access.read&category=health-checks",
        f"{period.query()}&actor={handler_kenshin.pk}",
        f"start={days['holiday']}&end={days['holiday']}",
    ]
    before = [table(as_auditor.get(f"/reports/events/?{q}"), "監査イベント") for q in queries]

    summary.summarise()
    read(at, jst(days["holiday"], 22), handler_kenshin.pk)  # past the mark

    after = [table(as_auditor.get(f"/reports/events/?{q}"), "監査イベント") for q in queries]
    assert all(before) and [len(a) - len(b) for a, b in zip(after, before, strict=True)] == [
        1,
        1,
        1,
    ]
    assert [rows[:-1] for rows in after] == before
