import datetime
import zoneinfo

import pytest

from core import deadlines

d = datetime.date


def jst(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))


def test_it_counts_days_from_the_day_after_the_start():
    assert deadlines.due_date(d(2026, 12, 30), days=30) == d(2027, 1, 29)


def test_it_ends_a_month_period_on_the_last_day_of_a_shorter_month():
    assert deadlines.due_date(d(2026, 1, 31), months=1) == d(2026, 2, 28)
    assert deadlines.due_date(d(2028, 1, 31), months=1) == d(2028, 2, 29)
    assert deadlines.due_date(d(2026, 12, 15), months=1) == d(2027, 1, 15)


def test_an_extension_counts_from_the_due_date():
    assert deadlines.extend(d(2026, 12, 31), months=2) == d(2027, 2, 28)


def test_it_is_overdue_only_after_the_last_day_and_while_not_done():
    due = d(2026, 12, 31)
    assert not deadlines.is_overdue(due, today=d(2026, 12, 31))
    assert deadlines.is_overdue(due, today=d(2027, 1, 1))
    assert not deadlines.is_overdue(due, today=d(2027, 1, 1), done=True)
    assert not deadlines.is_overdue(None, today=d(2027, 1, 1))


def test_it_takes_the_date_in_tokyo_not_in_utc():
    # 00:30 JST on the 31st is still the 30th in UTC.
    moment = jst(2026, 12, 31, 0, 30).astimezone(datetime.UTC)
    assert moment.date() == d(2026, 12, 30)
    assert deadlines.local_date(moment) == d(2026, 12, 31)


def test_a_training_lapses_twelve_months_later():
    assert deadlines.training_lapses_on(d(2026, 4, 1)) == d(2027, 4, 1)
    assert deadlines.training_lapses_on(d(2028, 2, 29)) == d(2029, 2, 28)
    assert deadlines.has_lapsed(d(2027, 4, 1), today=d(2027, 4, 1))
    assert not deadlines.has_lapsed(d(2027, 4, 1), today=d(2027, 3, 31))


def test_it_warns_of_a_lapse_within_thirty_days():
    today = d(2026, 12, 1)
    assert deadlines.lapses_within(d(2026, 12, 31), today=today)
    assert not deadlines.lapses_within(d(2027, 1, 1), today=today)
    assert not deadlines.lapses_within(d(2026, 12, 1), today=today)  # already lapsed


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Received on a Monday: five working days later is the next Monday.
        (datetime.date(2026, 11, 16), 5, datetime.date(2026, 11, 24)),  # 11/23 勤労感謝の日
        # Received on a Friday evening: the weekend does not count.
        (datetime.date(2026, 11, 27), 1, datetime.date(2026, 11, 30)),
        # Received before the New Year closure: 12/28 counts, 12/29 to 1/3 do not.
        (datetime.date(2026, 12, 25), 2, datetime.date(2027, 1, 4)),
        # Golden Week: 4/29 and 5/3 to 5/5 are holidays.
        (datetime.date(2027, 4, 28), 3, datetime.date(2027, 5, 7)),
    ],
)
def test_working_days_skip_weekends_holidays_and_the_new_year(start, days, due):
    assert deadlines.add_working_days(start, days) == due
