"""Admin screens of the physical registers (物理的安全管理措置): secure areas, entries,
devices taken out and what is still out.
"""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audited, deadlines
from core.audited import AuditedAdmin
from safeguards import physical
from safeguards.models import (
    AreaEntry,
    DeviceCheckout,
    SecureArea,
)

from .common import flag, overdue_rows, run_each


@admin.register(SecureArea)
class SecureAreaAdmin(AuditedAdmin):
    list_display = ("name", "description")


class PresentFilter(admin.SimpleListFilter):
    title = gettext_lazy("在室")
    parameter_name = "present"

    def lookups(self, request, model_admin):
        return (("yes", _("在室中")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_at__isnull=True)
        return queryset


@admin.register(AreaEntry)
class AreaEntryAdmin(admin.ModelAdmin):
    list_display = ("area", "user", "entered_at", "left_at")
    list_filter = (PresentFilter, "area")
    list_select_related = ("area", "user")
    date_hierarchy = "entered_at"
    fields = ("area", "user", "entered_at", "left_at")
    readonly_fields = ("left_at",)
    actions = ("leave",)

    def save_model(self, request, obj, form, change):
        if change:
            audited.save(obj, by=request.user, fields=form.changed_data)
        else:
            physical.enter_area(area=obj.area, user=obj.user, by=request.user, at=obj.entered_at)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("退室を記録する"))
    def leave(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            lambda obj: physical.leave_area(entry=obj, by=request.user),
            _("%(count)d件の退室を記録しました。"),
        )


class StillOutFilter(admin.SimpleListFilter):
    title = gettext_lazy("返却")
    parameter_name = "out"

    def lookups(self, request, model_admin):
        return (("out", _("未返却")), ("overdue", _("返却予定日超過")))

    def queryset(self, request, queryset):
        if self.value() == "out":
            return queryset.filter(id__in=physical.still_out().values("id"))
        if self.value() == "overdue":
            return overdue_rows(queryset, today=deadlines.today())
        return queryset


@admin.register(DeviceCheckout)
class DeviceCheckoutAdmin(admin.ModelAdmin):
    list_display = (
        "device",
        "kind",
        "taken_by",
        "purpose",
        "taken_out_at",
        "expected_back_on",
        "returned_at",
        "overdue",
    )
    list_filter = (StillOutFilter, "kind")
    list_select_related = ("taken_by",)
    readonly_fields = ("returned_at",)
    actions = ("mark_returned",)

    def save_model(self, request, obj, form, change):
        if change:
            audited.save(obj, by=request.user, fields=form.changed_data)
        else:
            physical.check_out_device(checkout=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("返却予定日超過"))
    def overdue(self, obj):
        return flag(physical.checkout_overdue(obj, today=deadlines.today()), _("超過"))

    @admin.action(description=gettext_lazy("返却を記録する"))
    def mark_returned(self, request, queryset):
        run_each(
            self,
            request,
            queryset,
            lambda obj: physical.return_device(checkout=obj, by=request.user),
            _("%(count)d件の返却を記録しました。"),
        )
