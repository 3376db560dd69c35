"""The access review, and the audit events behind each of its rows."""

from reports.selectors.access import access_review
from reports.selectors.events import EventFilter, event_list

from .base import ReportView


class AccessReviewView(ReportView):
    name = "access"

    def build(self, period):
        return access_review(period)


class EventListView(ReportView):
    name = "events"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filter = EventFilter(request.GET)

    def valid(self) -> bool:
        return self.filter.is_valid()

    def details(self) -> dict:
        return {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in self.filter.applied().items()
        }

    def build(self, period):
        return event_list(period, self.filter.applied())
