"""What the desk learns from a month of complaints: counts by subject, channel and category,
the median time to a first response and to an answer, how many were late, and the causes
that recur. Read-only, and free of personal data: it counts, it never lists a complaint.
"""

import datetime
import io
import statistics
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from core import deadlines, spreadsheet

from .models import Complaint

# A cause counts as recurring when it was found this often within the last twelve months.
RECURRING_AFTER = 2


@dataclass(frozen=True)
class Row:
    label: str
    count: int


@dataclass(frozen=True)
class MonthlySummary:
    month: datetime.date  # the first day of the month
    total: int
    by_subject: list[Row]
    by_channel: list[Row]
    by_category: list[Row]
    median_days_to_first_response: float | None
    median_days_to_answer: float | None
    late_first_response: int
    late_answer: int
    causes: list[Row]  # this month
    recurring_causes: list[Row]  # over the twelve months to this one, found RECURRING_AFTER+


def _month_range(month: datetime.date, months: int = 1) -> tuple[datetime.datetime, ...]:
    """The aware bounds, in the society's time zone, of `months` months ending with `month`."""
    start = deadlines.add_months(month, 1 - months)
    end = deadlines.add_months(month, 1)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time(), zone),
        datetime.datetime.combine(end, datetime.time(), zone),
    )


def _rows(queryset, field: str, labels: dict) -> list[Row]:
    counts = queryset.values(field).annotate(n=Count("id")).order_by("-n", field)
    return [Row(labels.get(row[field], labels.get(None, "")), row["n"]) for row in counts]


@dataclass(frozen=True)
class Answers:
    counted: int  # the complaints that wait for an answer or got one: withdrawn ones are not
    answered: int
    median_days: float | None
    late: int  # answered after the due date, or unanswered past it on `today`


def answers(received, *, today: datetime.date) -> Answers:
    """How the desk answered the complaints of `received` (a queryset). The one place these
    figures are computed: the monthly summary and the auditors' overview (reports) call it.

    A withdrawn complaint was never answered: it counts in none of them, not even when it had
    been answered once, reopened and then withdrawn.
    """
    timings = list(
        received.exclude(state=Complaint.State.WITHDRAWN).values_list(
            "received_at", "responded_at", "answer_due"
        )
    )
    answered = [(start, end) for start, end, _due in timings if end is not None]
    return Answers(
        counted=len(timings),
        answered=len(answered),
        median_days=_median_days(answered),
        late=sum(_late(due, end, today) for _start, end, due in timings),
    )


def _median_days(pairs) -> float | None:
    spans = [(end - start).total_seconds() / 86400 for start, end in pairs if end is not None]
    return round(statistics.median(spans), 1) if spans else None


def _late(due: datetime.date, done_at: datetime.datetime | None, today: datetime.date) -> bool:
    """Late when done after its last day, or not done and past it today."""
    return deadlines.is_overdue(due, today=deadlines.local_date(done_at) if done_at else today)


def monthly(month: datetime.date, *, today: datetime.date | None = None) -> MonthlySummary:
    """The summary of complaints received in the month of `month`."""
    month = month.replace(day=1)
    today = today or deadlines.today()
    start, end = _month_range(month)
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    year = Complaint.objects.filter(
        received_at__gte=_month_range(month, 12)[0], received_at__lt=end
    )
    categories: dict[int | None, str] = dict(
        received.values_list("category_id", "category__name").distinct()
    )
    categories[None] = str(_("指定なし"))
    first_responses = list(
        received.values_list("received_at", "acknowledged_at", "first_response_due", "state")
    )
    answered = answers(received, today=today)
    causes = dict(Complaint.Cause.choices)
    return MonthlySummary(
        month=month,
        total=len(first_responses),
        by_subject=_rows(received, "subject", dict(Complaint.Subject.choices)),
        by_channel=_rows(received, "channel", dict(Complaint.Channel.choices)),
        by_category=_rows(received, "category_id", categories),
        median_days_to_first_response=_median_days((t[0], t[1]) for t in first_responses),
        median_days_to_answer=answered.median_days,
        late_first_response=sum(
            _late(t[2], t[1], today) for t in first_responses if t[3] != Complaint.State.WITHDRAWN
        ),
        late_answer=answered.late,
        causes=_rows(received.exclude(cause=""), "cause", causes),
        recurring_causes=[
            row
            for row in _rows(year.exclude(cause=""), "cause", causes)
            if row.count >= RECURRING_AFTER
        ],
    )


def as_csv(summary: MonthlySummary) -> str:
    """The summary as CSV rows of (section, item, value), for a spreadsheet."""
    out = io.StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow([_("区分"), _("項目"), _("値")])
    writer.writerow([_("対象月"), "", summary.month.strftime("%Y-%m")])
    writer.writerow([_("件数"), _("合計"), summary.total])
    for section, rows in (
        (_("申出の対象"), summary.by_subject),
        (_("受付方法"), summary.by_channel),
        (_("個人情報の類型"), summary.by_category),
        (_("原因（当月）"), summary.causes),
        (_("繰り返し見られる原因（12か月）"), summary.recurring_causes),
    ):
        for row in rows:
            writer.writerow([section, row.label, row.count])
    writer.writerow(
        [_("初回連絡までの日数"), _("中央値"), _fmt(summary.median_days_to_first_response)]
    )
    writer.writerow([_("回答までの日数"), _("中央値"), _fmt(summary.median_days_to_answer)])
    writer.writerow([_("期限超過"), _("初回連絡"), summary.late_first_response])
    writer.writerow([_("期限超過"), _("回答"), summary.late_answer])
    return out.getvalue()


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
