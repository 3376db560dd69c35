"""The complaints desk's screens: the worklist (overdue first), intake of phone, letter and
counter complaints, the handling of each one, and the monthly summary.

Every save goes through `complaints.services`; every state move is a button on the
complaint's page (`core.admin.WorkflowAdminMixin`) that calls `core.workflow.transition`.
The admin renders no member data: a linked member appears as a link to the member's page
in the records admin, which shows it only through the gate.
"""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, Value, When
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.admin import WorkflowAdminMixin
from records import gate
from records.gated_admin import SESSION_KEY, DeskAdminMixin, chosen_access
from safeguards.models import Desk

from . import services, summary
from .forms import StaffComplaintForm
from .models import Complaint
from .workflow import COMPLAINTS

INTAKE_FIELDS = (
    "receipt_number",
    "channel",
    "received_at",
    "anonymous",
    "name",
    "email",
    "phone",
    "address",
    "is_member",
    "subject",
    "request_receipt_number",
    "what_happened",
    "what_wanted",
)
HANDLING_FIELDS = (
    "assignee",
    "category",
    "member_symbol",
    "member_number",
    "response",
    "cause",
    "root_cause",
    "corrective_action_taken",
    "corrective_action",
)


def _overdue_condition(today: datetime.date) -> Q:
    """Open complaints past a due date with its step not done, as a query condition."""
    return Q(state__in=Complaint.OPEN_STATES) & (
        (Q(acknowledged_at__isnull=True) & deadlines.overdue_q("first_response_due", today=today))
        | (Q(responded_at__isnull=True) & deadlines.overdue_q("answer_due", today=today))
    )


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("期限超過"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(_overdue_condition(deadlines.today()))
        return queryset


class ComplaintChangeForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = HANDLING_FIELDS


@admin.register(Complaint)
class ComplaintAdmin(DeskAdminMixin, WorkflowAdminMixin, admin.ModelAdmin):
    desk = Desk.Code.COMPLAINTS
    workflow = COMPLAINTS
    list_display = (
        "receipt_number",
        "received_at",
        "channel",
        "subject",
        "state",
        "assignee",
        "first_response_due",
        "answer_due",
        "overdue",
    )
    list_filter = (OverdueFilter, "state", "channel", "subject", "category")
    list_select_related = ("assignee",)
    search_fields = ("=receipt_number",)
    date_hierarchy = "received_at"
    readonly_fields = (
        *INTAKE_FIELDS,
        "state",
        "first_response_due",
        "answer_due",
        "acknowledged_at",
        "responded_at",
        "closed_at",
        "member_link",
        "request_link",
        "incident_link",
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": StaffComplaintForm.Meta.fields}),)
        return (
            (_("受付"), {"fields": INTAKE_FIELDS}),
            (
                _("対応状況"),
                {
                    "fields": (
                        "state",
                        "assignee",
                        ("first_response_due", "acknowledged_at"),
                        ("answer_due", "responded_at"),
                        "closed_at",
                    )
                },
            ),
            (
                _("関連"),
                {
                    "fields": (
                        "category",
                        ("member_symbol", "member_number"),
                        "member_link",
                        "request_link",
                        "incident_link",
                    )
                },
            ),
            (
                _("回答と原因"),
                {
                    "fields": (
                        "response",
                        "cause",
                        "root_cause",
                        "corrective_action_taken",
                        "corrective_action",
                    )
                },
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ComplaintChangeForm if obj is not None else StaffComplaintForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request):
        # Overdue ones first, then by the nearer deadline.
        return (
            super()
            .get_queryset(request)
            .annotate(
                is_overdue=Case(
                    When(_overdue_condition(deadlines.today()), then=Value(True)),
                    default=Value(False),
                )
            )
            .order_by("-is_overdue", "first_response_due", "id")
        )

    def has_delete_permission(self, request, obj=None):
        # A complaint is withdrawn or closed, never deleted (APPI Art. 40: handled, on record).
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.complaint_update(complaint=obj, by=request.user, fields=form.changed_data)
        else:
            services.complaint_file(
                complaint=obj,
                channel=form.cleaned_data["channel"],
                received_at=form.cleaned_data["received_at"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )

    @admin.display(description=gettext_lazy("期限超過"), boolean=True, ordering="-is_overdue")
    def overdue(self, complaint):
        return complaint.is_overdue

    def get_object(self, request, object_id, from_field=None):
        complaint = super().get_object(request, object_id, from_field)
        if complaint is not None:
            complaint.member_shown = _member_shown(request, complaint)
        return complaint

    @admin.display(description=gettext_lazy("加入者"))
    def member_link(self, complaint):
        # The id only, and only to staff whose access shows that member: the member's data is
        # on its own page, through the gate. Everyone else reads the same words whether the
        # 記号・番号 matched or not, so that a complaint tells no one who is insured.
        if not getattr(complaint, "member_shown", False):
            return _("照合の結果は、その加入者を担当する職員にのみ表示されます。")
        url = reverse("admin:records_member_change", args=[complaint.member_id])
        return format_html('<a href="{}">{}</a>', url, _("加入者 #%s") % complaint.member_id)

    @admin.display(description=gettext_lazy("開示等の請求"))
    def request_link(self, complaint):
        if complaint.request_id is None:
            return "—"
        url = reverse("admin:disclosure_request_change", args=[complaint.request_id])
        return format_html('<a href="{}">{}</a>', url, complaint.request_receipt_number)

    @admin.display(description=gettext_lazy("漏えい等事案"))
    def incident_link(self, complaint):
        if complaint.incident_id is None:
            return "—"
        url = reverse("admin:safeguards_incident_change", args=[complaint.incident_id])
        return format_html('<a href="{}">{}</a>', url, _("事案 #%s") % complaint.incident_id)

    def get_urls(self):
        return [
            path(
                "summary/",
                self.admin_site.admin_view(self.summary_view),
                name="complaints_complaint_summary",
            ),
            *super().get_urls(),
        ]

    def summary_view(self, request):
        """The monthly summary (?month=2026-04), as a page or, with &format=csv, a file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        month = _parse_month(request.GET.get("month", "")) or deadlines.today().replace(day=1)
        result = summary.monthly(month)
        if request.GET.get("format") == "csv":
            response = HttpResponse(summary.as_csv(result), content_type="text/csv; charset=utf-8")
            filename = f"complaints-{month:%Y-%m}.csv"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("苦情の月次集計（%(month)s）") % {"month": f"{month:%Y年%m月}"},
            "summary": result,
            "month": month,
            "previous": deadlines.add_months(month, -1),
            "next": deadlines.add_months(month, 1),
        }
        return TemplateResponse(request, "admin/complaints/summary.html", context)


def _member_shown(request, complaint: Complaint) -> bool:
    """Whether the complaint's linked member is one the user's access (the purpose chosen in
    the admin) shows: read through the gate, so that showing it is logged as a read."""
    if complaint.member_id is None or not request.session.get(SESSION_KEY):
        return False  # nothing linked, or no purpose chosen: no read was attempted
    try:
        access = chosen_access(request)
    except gate.AccessRefused:  # no purpose chosen, no scope: audited by the gate
        return False
    return bool(list(gate.members(access).filter(pk=complaint.member_id).only("pk")))


def _parse_month(value: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
