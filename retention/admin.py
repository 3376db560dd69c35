"""The privacy officer's screen of disposal runs: a run's categories, counts and holds, and
the buttons of its state table (approve, carry out, cancel). Runs are opened by the daily job
only; nothing here is typed. The certificate (廃棄記録) is the 監事's page, linked from here."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from core.admin import Page, ViewOnlyMixin, WorkflowAdminMixin
from core.workflow import transition
from safeguards.approvals import ApprovalPending

from . import disposal
from .models import DisposalHold, DisposalLine, DisposalRun


class DisposalLineInline(admin.TabularInline):
    model = DisposalLine
    fields = ("category", "due", "held", "erased")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DisposalHoldInline(admin.TabularInline):
    model = DisposalHold
    fields = ("reason", "matter_id", "member_id", "category", "records")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _carry_out(run: DisposalRun, form, user) -> DisposalRun:
    try:
        return transition(run, DisposalRun.State.CARRIED_OUT, by=user)
    except ApprovalPending as pending:
        # Four eyes: the carry-out rolled back; the request for a second officer's approval
        # is filed now, and kept.
        pending.file()
        raise


@admin.register(DisposalRun)
class DisposalRunAdmin(WorkflowAdminMixin, ViewOnlyMixin, admin.ModelAdmin):
    workflow = disposal.DISPOSALS
    move_pages = {DisposalRun.State.CARRIED_OUT: Page(_carry_out)}
    list_display = ("__str__", "as_of", "state", "four_eyes", "members_due", "carried_out_at")
    list_filter = ("state",)
    fields = (
        "state",
        "as_of",
        "created_at",
        "four_eyes",
        "members_due",
        "members_erased",
        "approved_by",
        "approved_at",
        "second_approval",
        "carried_out_by",
        "carried_out_at",
        "certificate",
    )
    readonly_fields = fields
    inlines = (DisposalLineInline, DisposalHoldInline)

    def has_change_permission(self, request, obj=None) -> bool:
        # The moves' buttons need it; the fields stay read-only, and who may make each move
        # is the state table's.
        return request.user.has_perm("retention.change_disposalrun")

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("retention.view_disposalrun")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The page shows the run and its moves' buttons; it saves nothing (the moves do).
        if request.method == "POST":
            raise PermissionDenied
        hidden = dict.fromkeys(
            ("show_save", "show_save_and_continue", "show_save_and_add_another", "show_delete"),
            False,
        )
        return super().changeform_view(
            request, object_id, form_url, {**(extra_context or {}), **hidden}
        )

    @admin.display(description=gettext_lazy("廃棄記録"))
    def certificate(self, obj):
        url = reverse("reports:disposal", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("廃棄記録を表示する"))
