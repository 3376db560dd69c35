"""The overview: requests, complaints, incidents, standing, inspections and audits."""

from reports.selectors.overview import overview
from safeguards import deadlines

from .base import ReportView


class OverviewView(ReportView):
    name = "overview"

    def build(self, period):
        return overview(period, today=deadlines.today())
