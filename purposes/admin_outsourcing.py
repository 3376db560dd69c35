"""The privacy officer's screens for processors (委託先) and their audits, joint use (共同利用)
and the society's own fields. Every save and delete goes through `core.audited`; publishing a
joint use calls `outsourcing.publish_joint_use`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audited import AuditedAdmin

from .models import Category
from .outsourcing import JointUse, Processor, ProcessorAudit, SocietyProfile, publish_joint_use


class CategoriesAsCheckboxes:
    """The categories as a list of checkboxes: the admin's two-box filter widget carries ARIA
    that axe refuses (tests/test_accessibility.py), and seventeen boxes read plainly."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Category:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProcessorAuditInline(admin.StackedInline):
    model = ProcessorAudit
    fields = ("audited_on", "method", "findings", "follow_up", "next_due")
    extra = 0


@admin.register(Processor)
class ProcessorAdmin(CategoriesAsCheckboxes, AuditedAdmin):
    list_display = (
        "name",
        "kind",
        "contract_from",
        "contract_until",
        "safeguards_checked_on",
        "subcontracting",
        "country",
        "last_audited_on",
    )
    list_filter = ("kind", "subcontracting")
    search_fields = ("name", "work")
    inlines = (ProcessorAuditInline,)
    fieldsets = (
        (None, {"fields": ("name", "kind", "work", "data_items", "categories", "published")}),
        (gettext_lazy("契約"), {"fields": ("contract_from", "contract_until")}),
        (
            gettext_lazy("委託先の監督（法第25条）"),
            {
                "fields": (
                    "safeguards_checked_on",
                    "safeguards_checked",
                    "subcontracting",
                    "subcontractors",
                )
            },
        ),
        (
            gettext_lazy("外国での取扱い（法第28条、第32条第1項第4号）"),
            {"fields": ("country", "foreign_environment")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_audit=Max("audits__audited_on"))

    @admin.display(description=gettext_lazy("直近の監査日"), ordering="last_audit")
    def last_audited_on(self, obj):
        return obj.last_audit or _("未実施")


@admin.register(JointUse)
class JointUseAdmin(CategoriesAsCheckboxes, AuditedAdmin):
    list_display = ("title", "responsible_name", "starts_on", "ends_on", "published_on")
    search_fields = ("title", "users")
    readonly_fields = ("published_on",)
    actions = ("publish",)
    fields = (
        "title",
        "items",
        "users",
        "purpose",
        "responsible_name",
        "responsible_address",
        "responsible_representative",
        "categories",
        "starts_on",
        "ends_on",
        "published_on",
    )

    @admin.action(
        description=gettext_lazy("選択した共同利用を公表事項に掲載する（本日から）"),
        permissions=("change",),
    )
    def publish(self, request, queryset):
        for joint_use in queryset:
            try:
                publish_joint_use(joint_use=joint_use, by=request.user)
            except ValidationError as refusal:
                self.message_user(
                    request, f"{joint_use}：{' '.join(refusal.messages)}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("「%(title)s」を公表事項（/privacy/）に掲載しました。")
                    % {"title": joint_use},
                    messages.SUCCESS,
                )


@admin.register(SocietyProfile)
class SocietyProfileAdmin(AuditedAdmin):
    fields = (
        "address",
        "representative_title",
        "representative_name",
        "foreign_environment",
        "fee_payment",
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SocietyProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # the notice always names the society
