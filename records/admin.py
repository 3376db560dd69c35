"""The staff screens for members and records, every read through the gate.

Each ModelAdmin here reads through `records.gated_admin` (its rows, foreign-key choices and
filters from the access the user chose on the purpose picker). Every write goes through
`records.services`, which validates and audits it: the forms here only offer the objects of
the access and turn the services' refusals into form errors.
"""

import functools
import json

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheet
from safeguards.scopes import grant_scope, withdraw_scope

from . import gate
from .gated_admin import GatedAdminMixin, PurposePickerMixin, ScopedCategoryFilter, chosen_access
from .models import Member, MemberUserObjectPermission, Record, Restriction, ThirdPartyProvision
from .payload_schemas import display_items, mask_payload
from .services import (
    ProvisionRefused,
    member_update,
    normalize_member_fields,
    provision_register,
    record_create,
    record_update,
    restriction_add,
)


class MemberForm(forms.ModelForm):
    """Validated as the service will store it: full-width digits and kana normalised first."""

    def clean(self):
        return normalize_member_fields(super().clean())


@admin.register(Member)
class MemberAdmin(GatedAdminMixin, admin.ModelAdmin):
    gate_rows = staticmethod(gate.members)
    form = MemberForm
    list_display = ("__str__", "name", "name_kana", "birth_date", "relationship", "employer")
    list_filter = ("relationship", "sex")
    search_fields = ("symbol", "number", "name", "name_kana")
    show_full_result_count = False
    exclude = ("source_id",)
    autocomplete_fields = ("insured",)

    def has_add_permission(self, request):
        return False  # members come from the core systems' import

    def save_model(self, request, obj, form, change):
        member_update(
            member=obj, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
        )


class RecordForm(forms.ModelForm):
    """A record in a category of the access; its payload checked against that category's
    schema by `Record.clean` (`records.payload_schemas`), one Japanese message per item.
    """

    payload = forms.JSONField(
        label=gettext_lazy("内容"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy('類型ごとの項目を JSON で入力します（例：{"points": 120}）。'),
        error_messages={
            "invalid": gettext_lazy(
                '内容を JSON の形（{"項目": 値, ...}）で入力してください。括弧や引用符の'
                "閉じ忘れ、末尾のカンマがないか確かめてください。"
            ),
            "required": gettext_lazy("内容を入力してください。"),
        },
    )

    access: gate.Access  # bound by RecordAdmin.get_form

    def clean(self):
        data = super().clean()
        if self.access.statutory is not None:
            raise forms.ValidationError(
                _(
                    "法令に基づく例外の閲覧では記録を追加・変更できません。利用目的を選んでください。"
                )
            )
        member, category = data.get("member"), data.get("category")
        if member and category and not gate.may_hold(self.access, member=member, category=category):
            self.add_error(
                "category",
                _("この加入者の「%(category)s」の記録は、選んだ利用目的ではあなたの担当外です。")
                % {"category": category.name},
            )
        return data


@admin.register(Record)
class RecordAdmin(PurposePickerMixin, GatedAdminMixin, admin.ModelAdmin):
    gate_rows = staticmethod(gate.records)
    form = RecordForm
    list_display = ("date", "member", "category", "title", "summary")
    list_select_related = ("member", "category")
    list_filter = (ScopedCategoryFilter,)
    search_fields = ("title", "member__name", "member__name_kana", "member__number")
    autocomplete_fields = ("member",)
    show_full_result_count = False
    fields = ("member", "category", "date", "title", "contents", "payload")
    readonly_fields = ("contents",)
    actions = ("export_csv",)

    def has_add_permission(self, request):
        # The handler role holds change, not add: adding a record to the scope is a change
        # of the scope's data; the form limits it to the access's categories.
        return self.has_change_permission(request)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"access": chosen_access(request)})

    def save_model(self, request, obj, form, change):
        fields = ("member", "category", "date", "title", "payload")
        if change:
            changed = {f: form.cleaned_data[f] for f in fields if f in form.changed_data}
            saved = record_update(record=obj, by=request.user, **changed)
        else:
            saved = record_create(by=request.user, **{f: form.cleaned_data[f] for f in fields})
        obj.pk, obj.payload = saved.pk, saved.payload

    @admin.display(description=gettext_lazy("内容（一部伏せ字）"))
    def summary(self, record):
        return "、".join(
            f"{k}: {v}" for k, v in display_items(record.category.code, record.payload)
        )

    @admin.display(description=gettext_lazy("内容"))
    def contents(self, record):
        return "\n".join(
            f"{k}: {v}"
            for k, v in display_items(record.category.code, record.payload, masked=False)
        )

    @admin.action(description=gettext_lazy("選択した記録を CSV で出力"), permissions=("view",))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="records.csv"'
        writer = spreadsheet.Writer(response)
        writer.writerow([_("加入者"), _("氏名"), _("類型"), _("日付"), _("件名"), _("内容")])
        rows = queryset.on_surface(gate.Surface.EXPORT).select_related("member", "category")
        for record in rows:
            payload = mask_payload(record.category.code, record.payload)
            writer.writerow(
                [
                    str(record.member),
                    record.member.name,
                    record.category.code,
                    record.date.isoformat(),
                    record.title,
                    json.dumps(payload, ensure_ascii=False),
                ]
            )
        return response


class MemberGrantForm(forms.ModelForm):
    """A member-level scope, found by the member's insurance number (記号・番号・枝番)."""

    symbol = forms.CharField(label=gettext_lazy("記号"))
    number = forms.CharField(label=gettext_lazy("番号"))
    branch = forms.CharField(label=gettext_lazy("枝番"))

    class Meta:
        model = MemberUserObjectPermission
        fields = ("user",)

    def clean(self):
        data = super().clean()
        # An exact match only: the privacy officer names a member, never browses them.
        self.member = Member.objects.filter(
            symbol=data.get("symbol"), number=data.get("number"), branch=data.get("branch")
        ).first()
        if self.member is None:
            raise forms.ValidationError(_("この記号・番号・枝番の加入者はいません。"))
        return data


@admin.register(MemberUserObjectPermission)
class MemberGrantAdmin(admin.ModelAdmin):
    """Member-level scopes, granted and withdrawn by the privacy officer (audited)."""

    form = MemberGrantForm
    list_display = ("user", "content_object_id")
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        grant = grant_scope(user=form.cleaned_data["user"], member=form.member, by=request.user)
        obj.pk, obj.permission, obj.content_object = grant.pk, grant.permission, form.member

    def delete_model(self, request, obj):
        withdraw_scope(user=obj.user, member=obj.content_object, by=request.user)

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("user", "content_object"):
            self.delete_model(request, grant)


@admin.register(Restriction)
class RestrictionAdmin(GatedAdminMixin, admin.ModelAdmin):
    """利用停止 and 第三者提供の停止 of the members the access may read; added, never edited."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=Restriction))
    list_display = ("member", "kind", "category", "purpose", "since", "until", "reference")
    list_select_related = ("member", "category", "purpose")
    list_filter = ("kind",)
    search_fields = ("member__number", "member__name_kana", "reference")
    fields = ("member", "kind", "category", "purpose", "since", "reference")
    autocomplete_fields = ("member",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":  # what the member obtained, whatever the scope
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = ("member", "kind", "category", "purpose", "since", "reference")
        obj.pk = restriction_add(by=request.user, **{f: form.cleaned_data[f] for f in fields}).pk


class ProvisionForm(forms.ModelForm):
    """A provision as `records.services.provision_register` records it, or its refusal.

    The service decides and writes in one transaction, under the member's row lock, so the
    form calls it as its last check: a 第三者提供の停止 in force comes back as a form error.
    """

    items = forms.CharField(
        label=gettext_lazy("提供した項目"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("1行に1項目"),
    )
    by = None  # bound by ThirdPartyProvisionAdmin.get_form
    provision = None

    class Meta:
        model = ThirdPartyProvision
        fields = (
            "member",
            "category",
            "recipient",
            "provided_on",
            "items",
            "legal_basis",
            "legal_basis_detail",
        )

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.provision = provision_register(by=self.by, **self.cleaned_data)
        except ProvisionRefused as refused:
            self.add_error(None, str(refused))


@admin.register(ThirdPartyProvision)
class ThirdPartyProvisionAdmin(GatedAdminMixin, admin.ModelAdmin):
    """第三者提供記録 of the members the access may read; registered, never edited."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=ThirdPartyProvision))
    form = ProvisionForm
    list_display = ("provided_on", "member", "category", "recipient", "legal_basis")
    list_select_related = ("member", "category")
    list_filter = ("legal_basis",)
    search_fields = ("member__number", "member__name_kana", "recipient")
    autocomplete_fields = ("member",)

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        obj.pk = form.provision.pk  # registered by the form's last check
