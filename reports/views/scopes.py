"""The scope register and its changes in the period."""

from reports.selectors.scopes import scope_register

from .base import ReportView


class ScopeRegisterView(ReportView):
    name = "scopes"

    def build(self, period):
        return scope_register(period)
