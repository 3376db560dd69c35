"""The scope register and its changes in the period; the 個人番号 categories' handlers."""

from reports.selectors.mynumber import my_number_report
from reports.selectors.processors import processors_report
from reports.selectors.scopes import scope_register

from .base import ReportView


class ScopeRegisterView(ReportView):
    name = "scopes"

    def build(self, period):
        return scope_register(period)


class MyNumberView(ReportView):
    """The categories flagged 個人番号を含む: their designated handlers and their reads."""

    name = "my-number"

    def build(self, period):
        return my_number_report(period)


class ProcessorsView(ReportView):
    """Processors (委託先) with their audits, and joint use (共同利用)."""

    name = "processors"

    def build(self, period):
        return processors_report(period)
