"""Deadlines, computed in one place (DESIGN invariant 6): due dates, extensions, overdue flags,
training expiry and the incident report deadlines.

Every function takes the moment or the day it reasons about (`now`, `today`, `start`); none
reads the clock except `today()`, so callers and tests decide what "now" is. Dates are the
society's dates, in Asia/Tokyo (settings.TIME_ZONE): an event at 00:30 JST on the 31st belongs
to the 31st, though in UTC it is still the 30th.
Periods follow the Civil Code: the first day is not counted (民法第140条), and a period of
months ends on the corresponding day, or on the month's last day where there is none
(民法第143条).
"""

import calendar
import datetime

import jpholiday
from django.db.models import Q
from django.utils import timezone

# APPI Art. 26(1), Enforcement Rules Art. 8(1): the preliminary report (速報) is due
# "速やかに"; the PPC guidelines (通則編 3-5-3-3) read that as about 3 to 5 days from the
# day the society learned of the incident. Kumiai asks for it within 3 days and flags it
# overdue only after the 5th, so the officer is warned early and alarmed when late.
PRELIMINARY_REPORT_DUE_DAYS = 3
PRELIMINARY_REPORT_OVERDUE_AFTER_DAYS = 5
# Enforcement Rules Art. 8(2): the final report (確報) within 30 days of learning of it, 60
# where the leak may have been done for an unlawful purpose (Rules Art. 7(iii)). Weekends and
# holidays count (PPC guidelines 通則編 3-5-3-4); Kumiai does not move a deadline that falls on a
# closed day to the next open one, which keeps it on the safe side.
FINAL_REPORT_DAYS = 30
FINAL_REPORT_DAYS_UNLAWFUL_PURPOSE = 60

TRAINING_VALIDITY_MONTHS = 12
LAPSE_WARNING_DAYS = 30


def today() -> datetime.date:
    """The society's date now, in Asia/Tokyo."""
    return timezone.localdate()


def local_date(moment: datetime.datetime) -> datetime.date:
    """The society's date of an aware moment (Asia/Tokyo), whatever zone it is given in."""
    return timezone.localdate(moment)


def add_days(start: datetime.date, days: int) -> datetime.date:
    """The day `days` after `start`, the first day not counted (民法第140条)."""
    return start + datetime.timedelta(days=days)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The day `months` after `start`, or the month's last day where that day is missing."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# The society's offices close for the New Year (年末年始, 12/29 to 1/3), as public offices do
# (行政機関の休日に関する法律 第1条第1項第3号).
NEW_YEAR_CLOSURE = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


def is_working_day(day: datetime.date) -> bool:
    """A weekday that is neither a public holiday of Japan nor in the New Year closure."""
    return (
        day.weekday() < 5
        and not jpholiday.is_holiday(day)
        and (day.month, day.day) not in NEW_YEAR_CLOSURE
    )


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The `days`-th working day after `start` (the first day not counted)."""
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        days -= is_working_day(day)
    return day


def due_date(start: datetime.date, *, days: int = 0, months: int = 0) -> datetime.date:
    """The last day of a period of `months` and `days` that starts after `start`.

    Reusable for any deadline counted from an event: a request received on `start` and
    answered within a month is due on `due_date(start, months=1)`.
    """
    return add_days(add_months(start, months), days)


def extend(due: datetime.date, *, days: int = 0, months: int = 0) -> datetime.date:
    """A due date pushed back by an extension granted on it."""
    return due_date(due, days=days, months=months)


def is_overdue(due: datetime.date | None, *, today: datetime.date, done: bool = False) -> bool:
    """Past its last day and not done. A missing due date is never overdue."""
    return not done and due is not None and today > due


def overdue_q(field: str, *, today: datetime.date) -> Q:
    """`is_overdue` as a query condition on a date field (the caller adds "not done")."""
    return Q(**{f"{field}__lt": today})


def days_left(due: datetime.date, *, today: datetime.date) -> int:
    """Days until the due date: 0 on the day itself, negative once overdue."""
    return (due - today).days


# Training (人的安全管理措置: 研修の効果を検証)


def training_lapses_on(
    held_on: datetime.date, *, months: int = TRAINING_VALIDITY_MONTHS
) -> datetime.date:
    """The first day on which a training taken on `held_on` no longer counts.

    A course taken on 2026-04-01 with a validity of 12 months counts up to 2027-03-31 and
    lapses on 2027-04-01.
    """
    return add_months(held_on, months)


def has_lapsed(lapses_on: datetime.date, *, today: datetime.date) -> bool:
    return today >= lapses_on


def lapses_within(
    lapses_on: datetime.date | None, *, today: datetime.date, days: int = LAPSE_WARNING_DAYS
) -> bool:
    """Still in force today but lapsing within the next `days` days."""
    return lapses_on is not None and today < lapses_on <= add_days(today, days)


def lapsing_q(field: str, *, today: datetime.date, days: int = LAPSE_WARNING_DAYS) -> Q:
    """`lapses_within` as a query condition on a lapse-date field."""
    return Q(**{f"{field}__gt": today, f"{field}__lte": add_days(today, days)})


# Incidents (漏えい等事案: APPI Art. 26)


def preliminary_report_due(discovered_at: datetime.datetime) -> datetime.date:
    """The day the 速報 is due: 3 days after the Japanese day of discovery."""
    return add_days(local_date(discovered_at), PRELIMINARY_REPORT_DUE_DAYS)


def preliminary_report_overdue(
    discovered_at: datetime.datetime, *, today: datetime.date, done: bool
) -> bool:
    """Past the 5th day after discovery without a 速報."""
    last_day = add_days(local_date(discovered_at), PRELIMINARY_REPORT_OVERDUE_AFTER_DAYS)
    return is_overdue(last_day, today=today, done=done)


def final_report_due(discovered_at: datetime.datetime, *, unlawful_purpose: bool) -> datetime.date:
    """The last day for the 確報: 30 days after discovery, 60 for an unlawful purpose."""
    days = FINAL_REPORT_DAYS_UNLAWFUL_PURPOSE if unlawful_purpose else FINAL_REPORT_DAYS
    return add_days(local_date(discovered_at), days)
