"""The reports' tests: the personas of the root conftest, reads through the real gate at
chosen moments, and the pages fetched as the 監事 would."""

import contextlib
import datetime
import zoneinfo

import jpholiday
import pytest
from django.utils import timezone

from records import gate

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def jst(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), TOKYO)


def next_working_day(after: datetime.date) -> datetime.date:
    day = after + datetime.timedelta(days=1)
    while day.weekday() >= 5 or jpholiday.is_holiday(day):
        day += datetime.timedelta(days=1)
    return day


def next_holiday_on_a_weekday(after: datetime.date) -> datetime.date:
    day = after + datetime.timedelta(days=1)
    while day.weekday() >= 5 or not jpholiday.is_holiday(day):
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def clock(monkeypatch):
    """`with clock(moment):` it is `moment` inside (events included), now again after, so
    that the auditor's session has not expired."""

    @contextlib.contextmanager
    def clock(moment: datetime.datetime):
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda: moment)
            yield

    return clock


@pytest.fixture
def read(clock):
    """Read records through the gate at `moment`, as a surface does; return how many."""

    def read(user, moment, *, purpose=None, statutory=None, surface=gate.Surface.ADMIN) -> int:
        with clock(moment), gate.ledger():
            access = gate.open_access(
                user=user, surface=surface, purpose=purpose, statutory=statutory
            )
            return len(list(gate.records(access)))

    return read


@pytest.fixture
def refused(clock):
    """Attempt a read at `moment` that the gate refuses; return the refusal's reason code."""

    def refused(user, moment, *, purpose) -> str:
        with clock(moment), pytest.raises(gate.AccessRefused) as refusal, gate.ledger():
            gate.open_access(user=user, surface=gate.Surface.ADMIN, purpose=purpose)
        return refusal.value.reason

    return refused


@pytest.fixture
def as_auditor(client, sign_in, auditor):
    return sign_in(auditor)


def period_query(start: datetime.date, end: datetime.date) -> str:
    return f"start={start.isoformat()}&end={end.isoformat()}"


def table(response, title: str) -> list[list[str]]:
    """The rows of the report table titled `title` in a page's context, as the page writes
    them (cell_text)."""
    from reports.exports import cell_text

    for section in response.context["sections"]:
        if section["table"].title.startswith(title):
            return [[cell_text(cell) for cell in row] for row in section["table"].rows]
    raise AssertionError(f"no table {title!r}")
