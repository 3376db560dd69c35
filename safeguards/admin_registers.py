"""Admin screens of the safeguards registers: people, organisation, incidents, physical.

Screens hold no domain logic: saves and actions call the services (`registers`, `training`,
`organisation`, `incidents`, `physical`), which validate, audit and lock. What is overdue or
about to lapse is a column, a filter and the default order of each list.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safeguards import deadlines, incidents, organisation, physical, training
from safeguards.models import (
    AreaEntry,
    Attendance,
    AuditFinding,
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    DeviceCheckout,
    Incident,
    IncidentStep,
    Inspection,
    InspectionResult,
    OfficerAppointment,
    Pledge,
    SecureArea,
    StaffStanding,
    TrainingCourse,
    TrainingSession,
)
from safeguards.registers import delete_register_row, save_register_row
from safeguards.standing import handling_refusal

REFUSALS = (
    PermissionDenied,
    incidents.TransitionRefused,
    organisation.StepRefused,
    physical.AlreadyClosed,
)


def _last_when(**condition) -> Case:
    """An ordering term that puts the rows matching `condition` (the finished ones) last."""
    return Case(When(**condition, then=Value(1)), default=Value(0))


def _flag(on: bool, text: str):
    """A red label for what needs attention, nothing otherwise."""
    return format_html('<strong class="errornote">{}</strong>', text) if on else ""


def _run(modeladmin, request, queryset, operation, done: str) -> None:
    """Apply one service call per selected row, reporting each refusal by its message."""
    count = 0
    for obj in queryset:
        try:
            operation(obj)
        except REFUSALS as refusal:
            modeladmin.message_user(request, f"{obj}：{refusal}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)


class AuditedAdmin(admin.ModelAdmin):
    """Plain register rows: every save and delete, inline rows included, is audited."""

    def save_model(self, request, obj, form, change):
        save_register_row(obj=obj, by=request.user, fields=form.changed_data)

    def delete_model(self, request, obj):
        delete_register_row(obj=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_register_row(obj=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # sorts the rows into changed, new and deleted
        for obj in formset.deleted_objects:
            delete_register_row(obj=obj, by=request.user)
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                save_register_row(
                    obj=inline_form.instance, by=request.user, fields=inline_form.changed_data
                )
        formset.save_m2m()


# --- People (人的安全管理措置) ------------------------------------------------------------


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
            delete_register_row(obj=obj, by=request.user)
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
        return _flag(
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
class StaffStandingAdmin(admin.ModelAdmin):
    """The privacy officer's list: who may handle personal data, who lapses soon."""

    list_display = ("username", "pledge_signed_on", "training_lapses_on", "refusal")
    list_filter = (StandingFilter,)
    search_fields = ("username", "last_name", "first_name")

    def get_queryset(self, request):
        return training.staff_standing(today=deadlines.today())

    def get_ordering(self, request):
        # Those never trained first, then the first to lapse.
        return (F("training_lapses_on").asc(nulls_first=True), "username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

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
            return _flag(True, refusal)
        if deadlines.lapses_within(obj.training_lapses_on, today=deadlines.today()):
            return _("可（30日以内に研修が失効）")
        return _("可")


# --- Organisation (組織的安全管理措置) ----------------------------------------------------


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


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("期限超過")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return overdue_rows(queryset, today=deadlines.today())
        return queryset


def overdue_rows(queryset, *, today):
    """The overdue rows of a register's changelist."""
    model = queryset.model
    if model is CorrectiveAction:
        return queryset.filter(id__in=organisation.overdue_actions(today=today).values("id"))
    if model is Inspection:
        return queryset.filter(deadlines.overdue_q("scheduled_on", today=today)).exclude(
            status=Inspection.Status.SIGNED_OFF
        )
    if model is DeviceCheckout:
        return queryset.filter(id__in=physical.overdue_checkouts(today=today).values("id"))
    if model is Incident:
        late = [
            i.pk for i in incidents.open_incidents() if incidents.overdue_reports(i, today=today)
        ]
        return queryset.filter(pk__in=late)
    raise NotImplementedError(model)


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    fields = ("description", "owner", "due_on", "status", "completed_on")
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
class InspectionAdmin(AuditedAdmin):
    list_display = ("title", "scheduled_on", "status", "overdue", "signed_off_by")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("signed_off_by",)
    ordering = (_last_when(status=Inspection.Status.SIGNED_OFF), "scheduled_on")
    fields = ("title", "scheduled_on", "status", "findings", "signed_off_by", "signed_off_at")
    readonly_fields = ("status", "signed_off_by", "signed_off_at")
    inlines = (InspectionResultInline, CorrectiveActionInline)
    actions = ("start", "sign_off")

    @admin.display(description=gettext_lazy("予定超過"))
    def overdue(self, obj):
        return _flag(organisation.inspection_overdue(obj, today=deadlines.today()), _("超過"))

    @admin.action(description=gettext_lazy("点検を開始する（点検項目を展開）"))
    def start(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda obj: organisation.start_inspection(inspection=obj, by=request.user),
            _("%(count)d件の点検を開始しました。"),
        )

    @admin.action(description=gettext_lazy("責任者として確認する"))
    def sign_off(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda obj: organisation.sign_off_inspection(inspection=obj, by=request.user),
            _("%(count)d件の点検を確認しました。"),
        )


class AuditFindingInline(admin.StackedInline):
    model = AuditFinding
    fields = ("finding", "response", "responded_on")
    extra = 0


@admin.register(AuditPlan)
class AuditPlanAdmin(AuditedAdmin):
    list_display = ("title", "auditor", "planned_on", "status", "reported_on")
    list_filter = ("status",)
    ordering = (_last_when(status=AuditPlan.Status.CLOSED), "planned_on")
    readonly_fields = ("status", "reported_on")
    inlines = (AuditFindingInline,)
    actions = ("to_fieldwork", "to_reported", "to_closed")

    def _advance(self, request, queryset, to):
        _run(
            self,
            request,
            queryset,
            lambda obj: organisation.advance_audit(audit=obj, to=to, by=request.user),
            _("%(count)d件の監査を更新しました。"),
        )

    @admin.action(description=gettext_lazy("監査実施中にする"))
    def to_fieldwork(self, request, queryset):
        self._advance(request, queryset, AuditPlan.Status.FIELDWORK)

    @admin.action(description=gettext_lazy("監査報告を受けた"))
    def to_reported(self, request, queryset):
        self._advance(request, queryset, AuditPlan.Status.REPORTED)

    @admin.action(description=gettext_lazy("フォローアップを完了する"))
    def to_closed(self, request, queryset):
        self._advance(request, queryset, AuditPlan.Status.CLOSED)


@admin.register(AuditFinding)
class AuditFindingAdmin(AuditedAdmin):
    list_display = ("finding", "audit", "responded_on")
    list_select_related = ("audit",)
    inlines = (CorrectiveActionInline,)


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(AuditedAdmin):
    list_display = ("description", "owner", "due_on", "status", "overdue", "source")
    list_filter = ("status", OverdueFilter)
    list_select_related = ("owner", "inspection", "audit_finding__audit")
    readonly_fields = ("status", "completed_on")
    ordering = (
        _last_when(status__in=(CorrectiveAction.Status.DONE, CorrectiveAction.Status.CANCELLED)),
        "due_on",
    )
    actions = ("complete",)

    @admin.display(description=gettext_lazy("期限超過"))
    def overdue(self, obj):
        return _flag(obj.is_overdue(today=deadlines.today()), _("超過"))

    @admin.display(description=gettext_lazy("発生源"))
    def source(self, obj):
        return obj.inspection or (obj.audit_finding and obj.audit_finding.audit) or ""

    @admin.action(description=gettext_lazy("完了にする"))
    def complete(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda obj: organisation.complete_action(action=obj, by=request.user),
            _("%(count)d件の是正措置を完了にしました。"),
        )


# --- Incidents (漏えい等事案) -------------------------------------------------------------


class IncidentStepInline(admin.TabularInline):
    """The timeline: every step, in order, read-only."""

    model = IncidentStep
    fields = ("at", "kind", "from_state", "to_state", "taken_by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("担当者"))
    def taken_by(self, step):
        # Only the report of a leak raised on the public complaints form has no staff member.
        return step.by or _("申出人（苦情の申出）")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "kind",
        "state",
        "discovered_at",
        "report_required",
        "preliminary_due",
        "final_due",
        "overdue",
        "persons_notified_at",
    )
    list_filter = ("state", OverdueFilter, "kind", "source")
    # Open incidents first, the longest known on top.
    ordering = (_last_when(state=Incident.State.CLOSED), "discovered_at")
    date_hierarchy = "discovered_at"
    # Any staff member reports in a short form; the privacy officer assesses on the full one.
    add_fields = ("kind", "discovered_at", "summary")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "discovered_at",
                    "summary",
                    "state",
                    "source",
                    "reported_by",
                    "complaint_links",
                )
            },
        ),
        (
            gettext_lazy("評価（法第26条、規則第7条）"),
            {
                "fields": (
                    "categories",
                    "financial_damage_risk",
                    "unlawful_purpose_suspected",
                    "persons_affected",
                    "strongly_encrypted",
                    "report_required",
                    "criteria",
                    "preliminary_due",
                    "final_due",
                    "overdue",
                )
            },
        ),
        (
            gettext_lazy("報告事項（規則第8条第1項）"),
            {
                "fields": (
                    "data_items",
                    "cause",
                    "secondary_harm",
                    "response_to_persons",
                    "publication",
                    "prevention",
                    "other_matters",
                )
            },
        ),
        (
            gettext_lazy("報告と本人通知"),
            {
                "fields": (
                    "preliminary_reported_at",
                    "final_reported_at",
                    "persons_notified_at",
                    "alternative_measure",
                )
            },
        ),
    )
    readonly_fields = (
        "state",
        "source",
        "reported_by",
        "complaint_links",
        "report_required",
        "criteria",
        "preliminary_due",
        "final_due",
        "overdue",
        "preliminary_reported_at",
        "final_reported_at",
        "persons_notified_at",
    )
    filter_horizontal = ("categories",)
    inlines = (IncidentStepInline,)
    actions = ("to_assessing", "to_preliminary", "to_final", "to_closed", "persons_notified")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": self.add_fields}),)
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            incidents.record_assessment(incident=obj, by=request.user, fields=form.changed_data)
        else:
            incidents.report_incident(incident=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # An incident is evidence: it is closed, never deleted.
        return False

    @admin.display(description=gettext_lazy("苦情"))
    def complaint_links(self, obj):
        # The complaints that reported it (`Complaint.incident`, related name `complaints`),
        # by receipt number only: what was written stays on the desk's own page.
        return format_html_join(
            "、",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:complaints_complaint_change", args=[pk]), number)
                for pk, number in obj.complaints.values_list("pk", "receipt_number")
            ),
        ) or _("なし")

    @admin.display(description=gettext_lazy("委員会への報告"), boolean=True)
    def report_required(self, obj):
        return incidents.assess(obj).report_required

    @admin.display(description=gettext_lazy("該当する報告基準"))
    def criteria(self, obj):
        labels = {
            "sensitive_data": _("要配慮個人情報（第1号）"),
            "financial_damage_risk": _("財産的被害のおそれ（第2号）"),
            "unlawful_purpose": _("不正の目的のおそれ（第3号）"),
            "over_threshold": _("1,000人超（第4号）"),
        }
        assessment = incidents.assess(obj)
        text = "、".join(str(labels[name]) for name in assessment.criteria) or _("なし")
        if assessment.strongly_encrypted:
            text += _("（高度な暗号化等により報告不要）")
        return text

    @admin.display(description=gettext_lazy("速報期限"))
    def preliminary_due(self, obj):
        return incidents.report_deadlines(obj).preliminary_due

    @admin.display(description=gettext_lazy("確報期限"))
    def final_due(self, obj):
        return incidents.report_deadlines(obj).final_due

    @admin.display(description=gettext_lazy("期限超過"))
    def overdue(self, obj):
        late = incidents.overdue_reports(obj, today=deadlines.today())
        names = {"preliminary": _("速報"), "final": _("確報")}
        return _flag(bool(late), "・".join(str(names[n]) for n in late))

    def _transition(self, request, queryset, to):
        _run(
            self,
            request,
            queryset,
            lambda obj: incidents.transition(obj, to, by=request.user),
            _("%(count)d件の事案を更新しました。"),
        )

    @admin.action(description=gettext_lazy("評価を開始する"))
    def to_assessing(self, request, queryset):
        self._transition(request, queryset, Incident.State.ASSESSING)

    @admin.action(description=gettext_lazy("委員会へ速報した"))
    def to_preliminary(self, request, queryset):
        self._transition(request, queryset, Incident.State.PRELIMINARY_REPORTED)

    @admin.action(description=gettext_lazy("委員会へ確報した"))
    def to_final(self, request, queryset):
        self._transition(request, queryset, Incident.State.FINAL_REPORTED)

    @admin.action(description=gettext_lazy("終結する"))
    def to_closed(self, request, queryset):
        self._transition(request, queryset, Incident.State.CLOSED)

    @admin.action(description=gettext_lazy("本人へ通知した（法第26条第2項）"))
    def persons_notified(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda obj: incidents.record_persons_notice(incident=obj, by=request.user),
            _("%(count)d件の本人通知を記録しました。"),
        )


# --- Physical (物理的安全管理措置) ---------------------------------------------------------


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
            save_register_row(obj=obj, by=request.user, fields=form.changed_data)
        else:
            physical.enter_area(area=obj.area, user=obj.user, by=request.user, at=obj.entered_at)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("退室を記録する"))
    def leave(self, request, queryset):
        _run(
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
            save_register_row(obj=obj, by=request.user, fields=form.changed_data)
        else:
            physical.check_out_device(checkout=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("返却予定日超過"))
    def overdue(self, obj):
        return _flag(physical.checkout_overdue(obj, today=deadlines.today()), _("超過"))

    @admin.action(description=gettext_lazy("返却を記録する"))
    def mark_returned(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            lambda obj: physical.return_device(checkout=obj, by=request.user),
            _("%(count)d件の返却を記録しました。"),
        )
