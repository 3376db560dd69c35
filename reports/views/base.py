"""What every report page shares: who may open it, the period, the audit event, the exports.

Only the 監事 and the privacy officer, signed in with a verified second factor (as the
admin asks), may open a report; anyone else signed in gets 403, and a session without a
verified device is sent to the staff sign-in. Pages answer GET only. Each view, page or
export, appends one `reports.viewed` event naming the report, the period and the format.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django_otp.decorators import otp_required

from audit.trail import actor_for, append
from audit.vocabulary import Action
from core import deadlines
from reports.charts import draw
from reports.exports import as_csv, as_pdf
from reports.period import Period, PeriodForm
from reports.tables import Report
from safeguards.roles import may_read_reports

FORMATS = ("html", "csv", "pdf")


def audit_view(request, *, report: str, period: Period | None, **details) -> None:
    if period is not None:
        details |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    append(
        action=Action.REPORTS_REPORT_VIEWED,
        actor=actor_for(request.user),
        details={"report": report, **details},
    )


@method_decorator(otp_required(login_url=settings.LOGIN_URL), name="dispatch")
class ReportsOnly(View):
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        if not may_read_reports(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReportView(ReportsOnly):
    """A report for the period in the query (`start`, `end`), as a page or `format=csv|pdf`."""

    name: str
    template_name = "reports/report.html"
    # Whether the page asks for a period (a certificate of one run does not).
    periodic = True

    def build(self, period: Period) -> Report:
        raise NotImplementedError

    def details(self) -> dict:
        """What else the audit event records about this view (the drill-down's filter)."""
        return {}

    def valid(self) -> bool:
        return True

    def get(self, request):
        form = PeriodForm(request.GET, today=deadlines.today())
        chosen = request.GET.get("format", "html")
        fmt = chosen if chosen in FORMATS else "html"
        if not (form.is_valid() and self.valid()):
            audit_view(request, report=self.name, period=None, format=fmt, invalid=True)
            return render(request, self.template_name, self.context(form, None), status=400)
        report = self.build(form.period)
        audit_view(request, report=self.name, period=form.period, format=fmt, **self.details())
        if fmt == "html":
            return render(request, self.template_name, self.context(form, report))
        filename = f"{report.name}-{report.period.start}-{report.period.end}.{fmt}"
        content, content_type = (
            (as_csv(report), "text/csv; charset=utf-8")
            if fmt == "csv"
            else (as_pdf(report), "application/pdf")
        )
        return HttpResponse(
            content,
            content_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def context(self, form: PeriodForm, report: Report | None) -> dict:
        query = self.request.GET.copy()
        query.pop("format", None)
        sections = (
            [
                {
                    "table": table,
                    "drawing": draw(table),
                    "rows": [(row, table.link(n)) for n, row in enumerate(table.rows)],
                }
                for table in report.tables
            ]
            if report
            else []
        )
        return {
            "form": form,
            "report": report,
            "sections": sections,
            "query": query.urlencode(),
            "current": self.name,
            "periodic": self.periodic,
        }
