"""The overview: requests, complaints, incidents, standing, inspections and audits."""

from core import deadlines
from reports.selectors.overview import overview

from .base import ReportView


class OverviewView(ReportView):
    name = "overview"

    def build(self, period):
        return overview(period, today=deadlines.today())
