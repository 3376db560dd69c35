"""Admin screens of incidents (漏えい等事案): assessment, reports to the PPC, notices to the
persons. The moves and the notice are buttons on an incident's page
(`core.admin.WorkflowAdminMixin`) calling `safeguards.incidents`.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.admin import Step, WorkflowAdminMixin
from safeguards import incidents
from safeguards.models import (
    Incident,
    IncidentStep,
)

from .common import OverdueFilter, flag, last_when


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
class IncidentAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    workflow = incidents.INCIDENTS
    steps = {
        "persons_notified": Step(
            gettext_lazy("本人へ通知した（法第26条第2項）"),
            lambda incident, form, user: incidents.record_persons_notice(
                incident=incident, by=user
            ),
            available=lambda incident: incident.persons_notified_at is None,
        )
    }
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
    ordering = (last_when(state=Incident.State.CLOSED), "discovered_at")
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
                    "key_store_affected",
                    "report_required",
                    "criteria",
                    "preliminary_due",
                    "final_due",
                    "overdue",
                )
            },
        ),
        (
            gettext_lazy("特定個人情報の評価（番号法第29条の4）"),
            {
                "fields": (
                    "my_number_involved",
                    "my_number_network_system",
                    "my_number_persons",
                    "my_number_criteria",
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
        "my_number_criteria",
        "preliminary_due",
        "final_due",
        "overdue",
        "preliminary_reported_at",
        "final_reported_at",
        "persons_notified_at",
    )
    filter_horizontal = ("categories",)
    inlines = (IncidentStepInline,)

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
        elif assessment.exempt_by_encryption:
            text += _(
                "（暗号化して保管している類型で、鍵保管庫に影響がないため報告不要：規則第7条）"
            )
        elif assessment.key_store_question_open:
            text += _(
                "（%(names)s は暗号化して保管しています。鍵保管庫への影響を回答するまでは"
                "報告対象として扱います）"
            ) % {"names": "、".join(assessment.encrypted)}
        return text

    @admin.display(description=gettext_lazy("番号法の報告基準"))
    def my_number_criteria(self, obj):
        labels = {
            "my_number_network_system": _("情報提供ネットワークシステム等（規則第2条第1号）"),
            "my_number_unlawful_purpose": _("不正の目的のおそれ（規則第2条第2号）"),
            "my_number_over_threshold": _("100人超（規則第2条第4号）"),
        }
        assessment = incidents.assess(obj)
        if not obj.my_number_involved:
            return _("特定個人情報の漏えい等ではない")
        names = assessment.my_number_criteria
        if not names:
            return _("なし（番号法第29条の4の報告は不要）")
        text = "、".join(str(labels[name]) for name in names)
        if assessment.strongly_encrypted:
            return text + _("（高度な暗号化等により報告不要）")
        return text + _(
            "：委員会への報告（速報・確報。確報は30日以内、不正の目的のおそれは60日以内）と"
            "本人への通知が必要です（番号法第29条の4第1項・第2項）"
        )

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
        return flag(bool(late), "・".join(str(names[n]) for n in late))
