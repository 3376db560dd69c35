"""The period a report covers: dates in Asia/Tokyo, by default the society's fiscal year."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import deadlines

# The fiscal year (事業年度) of a health insurance society runs from April 1.
FISCAL_YEAR_STARTS = 4
# A year and a bit: longer periods are split by the auditor, not scanned at once.
LONGEST_DAYS = 400


@dataclass(frozen=True)
class Period:
    start: datetime.date  # first day
    end: datetime.date  # last day, included

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware [from, until) moments: midnight Tokyo on the first day and after the last."""
        zone = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time(), zone),
            datetime.datetime.combine(deadlines.add_days(self.end, 1), datetime.time(), zone),
        )

    @property
    def days(self) -> list[datetime.date]:
        return [deadlines.add_days(self.start, n) for n in range((self.end - self.start).days + 1)]

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day to judge standing and overdue items on: the period's end, or today."""
        return min(self.end, today)

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def fiscal_year(today: datetime.date) -> Period:
    year = today.year if today.month >= FISCAL_YEAR_STARTS else today.year - 1
    start = datetime.date(year, FISCAL_YEAR_STARTS, 1)
    return Period(start, deadlines.add_days(deadlines.add_months(start, 12), -1))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("開始日"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("終了日"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, today: datetime.date):
        default = fiscal_year(today)
        if not data.get("start") and not data.get("end"):
            data = {"start": default.start, "end": default.end}
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("開始日は終了日以前の日付にしてください。"))
        if start and end and (end - start).days >= LONGEST_DAYS:
            raise forms.ValidationError(
                _("期間は%(days)d日以内にしてください。") % {"days": LONGEST_DAYS}
            )
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])
