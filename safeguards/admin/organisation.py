"""Admin screens of the organisational registers (組織的安全管理措置): the privacy officer
and deputies, self-inspections and their checklists, 監事 audits, corrective actions.
"""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.admin import WorkflowAdminMixin
from core.audited import AuditedAdmin
from safeguards import organisation
from safeguards.models import (
    AuditFinding,
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionResult,
    OfficerAppointment,
)

from .common import OverdueFilter, flag, last_when


@admin.register(OfficerAppointment)
class OfficerAppointmentAdmin(AuditedAdmin):
    """The emergency line (緊急連絡体制): whom to call, in order."""

    list_display = (
        "escalation_order",
        "role",
        "user",
        "phone",
        "after_hours_phone",
        "email",
        "appointed_on",
        "ended_on",
    )
    list_filter = ("role",)
    list_select_related = ("user",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedAdmin):
    list_display = ("text", "area", "order", "active")
    list_filter = ("area", "active")
    list_editable = ("order", "active")


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    fields = ("description", "owner", "due_on", "status", "completed_on")
    # Done or cancelled is a move on the action's own page, never a value typed here.
    readonly_fields = ("status", "completed_on")
    extra = 0


class InspectionResultInline(admin.TabularInline):
    model = InspectionResult
    fields = ("item", "result", "note")
    readonly_fields = ("item",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(WorkflowAdminMixin, AuditedAdmin):
    workflow = organisation.INSPECTIONS
    list_display = ("title", "scheduled_on", "status", "overdue", "signed_off_by")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("signed_off_by",)
    ordering = (last_when(status=Inspection.Status.SIGNED_OFF), "scheduled_on")
    fields = ("title", "scheduled_on", "status", "findings", "signed_off_by", "signed_off_at")
    readonly_fields = ("status", "signed_off_by", "signed_off_at")
    inlines = (InspectionResultInline, CorrectiveActionInline)

    @admin.display(description=gettext_lazy("予定超過"))
    def overdue(self, obj):
        return flag(organisation.inspection_overdue(obj, today=deadlines.today()), _("超過"))


class AuditFindingInline(admin.StackedInline):
    model = AuditFinding
    fields = ("finding", "response", "responded_on")
    extra = 0


@admin.register(AuditPlan)
class AuditPlanAdmin(WorkflowAdminMixin, AuditedAdmin):
    workflow = organisation.AUDITS
    list_display = ("title", "auditor", "planned_on", "status", "reported_on")
    list_filter = ("status",)
    ordering = (last_when(status=AuditPlan.Status.CLOSED), "planned_on")
    readonly_fields = ("status", "reported_on")
    inlines = (AuditFindingInline,)


@admin.register(AuditFinding)
class AuditFindingAdmin(AuditedAdmin):
    list_display = ("finding", "audit", "responded_on")
    list_select_related = ("audit",)
    inlines = (CorrectiveActionInline,)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(WorkflowAdminMixin, AuditedAdmin):
    workflow = organisation.CORRECTIVE_ACTIONS
    list_display = ("description", "owner", "due_on", "status", "overdue", "source")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("owner", "inspection", "audit_finding__audit")
    readonly_fields = ("status", "completed_on")
    ordering = (
        last_when(status__in=(CorrectiveAction.Status.DONE, CorrectiveAction.Status.CANCELLED)),
        "due_on",
    )

    @admin.display(description=gettext_lazy("期限超過"))
    def overdue(self, obj):
        return flag(obj.is_overdue(today=deadlines.today()), _("超過"))

    @admin.display(description=gettext_lazy("発生源"))
    def source(self, obj):
        return obj.inspection or (obj.audit_finding and obj.audit_finding.audit) or ""
