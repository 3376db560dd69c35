"""Admin screens of the people registers (人的安全管理措置): pledges, training courses,
sessions and attendance, and each staff member's standing.
"""

from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audited, deadlines
from core.admin import ViewOnlyMixin
from core.audited import AuditedAdmin
from safeguards import training
from safeguards.models import (
    Attendance,
    Pledge,
    StaffStanding,
    TrainingCourse,
    TrainingSession,
)
from safeguards.standing import handling_refusal

from .common import flag


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin):
    list_display = ("user", "version", "signed_on")
    list_filter = ("version",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__last_name", "version")
    date_hierarchy = "signed_on"


@admin.register(TrainingCourse)
class TrainingCourseAdmin(AuditedAdmin):
    list_display = ("title", "pass_mark", "validity_months")


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("user", "score", "passed", "lapses_on")
    readonly_fields = ("passed", "lapses_on")
    extra = 3


@admin.register(TrainingSession)
class TrainingSessionAdmin(AuditedAdmin):
    list_display = ("course", "held_on", "instructor")
    list_filter = ("course",)
    list_select_related = ("course",)
    date_hierarchy = "held_on"
    inlines = (AttendanceInline,)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        # The pass and the lapse date are the service's to compute, from the course's rules.
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            audited.delete(obj, by=request.user)
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                training.record_attendance(
                    session=form.instance,
                    user=inline_form.cleaned_data["user"],
                    score=inline_form.cleaned_data["score"],
                    by=request.user,
                )


class LapseFilter(admin.SimpleListFilter):
    title = gettext_lazy("研修の有効期限")
    parameter_name = "lapse"
    field = "lapses_on"

    def lookups(self, request, model_admin):
        return (
            ("soon", _("30日以内に失効")),
            ("lapsed", _("失効済み")),
        )

    def queryset(self, request, queryset):
        today = deadlines.today()
        if self.value() == "soon":
            return queryset.filter(deadlines.lapsing_q(self.field, today=today))
        if self.value() == "lapsed":
            return queryset.filter(**{f"{self.field}__lte": today})
        return queryset


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    """Read here; attendances are recorded on their session's page."""

    list_display = ("user", "session", "score", "passed", "lapses_on", "lapsing")
    list_filter = (LapseFilter, "passed", "session__course")
    list_select_related = ("user", "session__course")
    search_fields = ("user__username", "user__last_name")
    ordering = ("lapses_on", "id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("30日以内に失効"))
    def lapsing(self, obj):
        return flag(
            deadlines.lapses_within(obj.lapses_on, today=deadlines.today()), _("まもなく失効")
        )


class StandingFilter(LapseFilter):
    title = gettext_lazy("取扱資格")
    parameter_name = "standing"
    field = "training_lapses_on"

    def lookups(self, request, model_admin):
        return (
            *super().lookups(request, model_admin),
            ("untrained", _("研修未修了")),
            ("no_pledge", _("誓約書なし")),
        )

    def queryset(self, request, queryset):
        if self.value() == "untrained":
            return queryset.filter(training_lapses_on__isnull=True)
        if self.value() == "no_pledge":
            return queryset.filter(pledge_signed_on__isnull=True)
        return super().queryset(request, queryset)


@admin.register(StaffStanding)
class StaffStandingAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The privacy officer's list: who may handle personal data, who lapses soon."""

    list_display = ("username", "pledge_signed_on", "training_lapses_on", "refusal")
    list_filter = (StandingFilter,)
    search_fields = ("username", "last_name", "first_name")
    # A staff member's standing, and nothing else of their account (never the password's
    # hash: the 監事 reads this page).
    fields = (
        "username",
        "last_name",
        "first_name",
        "pledge_signed_on",
        "training_lapses_on",
        "refusal",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return training.staff_standing(today=deadlines.today())

    def get_ordering(self, request):
        # Those never trained first, then the first to lapse.
        return (F("training_lapses_on").asc(nulls_first=True), "username")

    @admin.display(description=gettext_lazy("誓約書の署名日"), ordering="pledge_signed_on")
    def pledge_signed_on(self, obj):
        return obj.pledge_signed_on

    @admin.display(description=gettext_lazy("研修の失効日"), ordering="training_lapses_on")
    def training_lapses_on(self, obj):
        return obj.training_lapses_on

    @admin.display(description=gettext_lazy("取扱いの可否"))
    def refusal(self, obj):
        refusal = handling_refusal(obj, on=deadlines.today())
        if refusal:
            return flag(True, refusal)
        if deadlines.lapses_within(obj.training_lapses_on, today=deadlines.today()):
            return _("可（30日以内に研修が失効）")
        return _("可")
