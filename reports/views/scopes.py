"""The scope register and its changes in the period; the 個人番号 categories' handlers;
processors; consents; disposal runs and their certificates."""

from reports.selectors.consents import consents_report
from reports.selectors.disposals import disposal_certificate, disposals_report
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


class ConsentsView(ReportView):
    """Consents and opt-outs by purpose (APPI Art. 18(1), Art. 27(1)): counts only."""

    name = "consents"

    def build(self, period):
        return consents_report(period)


class DisposalsView(ReportView):
    """Disposal runs (APPI Art. 22) of the period."""

    name = "disposals"

    def build(self, period):
        return disposals_report(period)


class DisposalView(ReportView):
    """One run's certificate (廃棄記録), as a page or its PDF."""

    name = "disposal"
    periodic = False

    def get(self, request, pk):
        return super().get(request)

    def details(self) -> dict:
        return {"number": self.kwargs["pk"]}

    def build(self, period):
        return disposal_certificate(period, self.kwargs["pk"])
