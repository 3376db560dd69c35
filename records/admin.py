"""The staff screens for members and records, every read through the gate.

Each ModelAdmin here reads through `records.gated_admin` (its rows, foreign-key choices and
filters from the access the user chose on the purpose picker). Every write goes through
`records.services`, which validates and audits it: the forms here only offer the objects of
the access and turn the services' refusals into form errors.
"""

import datetime
import functools
from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from core import spreadsheet
from core.fields import NormalizedCharField, valid_postal_code
from core.normalize import normalize_postal_code, normalize_text
from purposes.models import Category
from safeguards.roles import Role, has_role
from safeguards.scopes import grant_scope, withdraw_scope

from . import gate, payload_forms, search
from .gated_admin import (
    EstimatedCountPaginator,
    GatedAdminMixin,
    PurposePickerMixin,
    ScopedCategoryFilter,
    chosen_access,
)
from .models import (
    Consent,
    Member,
    MemberUserObjectPermission,
    Protection,
    Record,
    Restriction,
    ThirdPartyProvision,
)
from .payload_schemas import display_items, display_values, titles
from .services import (
    ProvisionRefused,
    condition_refusal,
    consent_record,
    consent_withdraw,
    member_update,
    normalize_member_fields,
    protection_lift,
    protection_set,
    provision_register,
    record_create,
    record_update,
    restriction_add,
)


class MemberSearchMixin:
    """Search by 氏名, フリガナ or 記号-番号-枝番 as typed (`records.search`), or by part of
    one of the text fields in `search_fields`; the member lookup runs on `member_prefix`."""

    member_prefix = "member__"
    search_help_text: ClassVar[StrOrPromise | None] = gettext_lazy(
        "氏名、フリガナ（ひらがな・半角カナも可）、記号-番号-枝番（例：1001-1、1001-1-00）など"
    )

    def get_search_results(self, request, queryset, search_term):
        query = search.member_query(search_term, prefix=self.member_prefix)
        if query is None:
            return queryset, False
        text = normalize_text(search_term)
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": text})
        return queryset.filter(query), False


class MemberForm(forms.ModelForm):
    """Validated as the service will store it: full-width digits and kana normalised first."""

    # Normalised before its length is checked: 〒１００－０００１ is 100-0001.
    postal_code = NormalizedCharField(
        label=gettext_lazy("郵便番号"),
        max_length=8,
        required=False,
        normalizer=normalize_postal_code,
        validators=[valid_postal_code],
    )

    def clean(self):
        return normalize_member_fields(super().clean())


EDIT = "edit"  # the query parameter that turns a member's page into its edit form


@admin.register(Member)
class MemberAdmin(MemberSearchMixin, GatedAdminMixin, admin.ModelAdmin):
    """A member's page reads first (`member_view`: the member and their records by
    category); editing is a deliberate step, the 編集 link to the same page with `?edit=1`."""

    gate_rows = staticmethod(gate.members)
    form = MemberForm
    list_display = ("__str__", "name", "name_kana", "birth_date", "relationship", "employer")
    list_filter = ("relationship", "sex")
    ordering = search.natural_order()
    member_prefix = ""
    search_fields = ("employer",)
    show_full_result_count = False
    exclude = ("source_id",)
    autocomplete_fields = ("insured",)

    def has_add_permission(self, request):
        return False  # members come from the core systems' import

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" or EDIT in request.GET:
            # Saving returns to the list; "continue editing" would land on the read view.
            context = {**(extra_context or {}), "show_save_and_continue": False}
            return super().change_view(request, object_id, form_url, context)
        return self.member_view(request, object_id)

    def save_model(self, request, obj, form, change):
        member_update(
            member=obj, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
        )

    def member_view(self, request, object_id):
        member = self.get_object(request, unquote(object_id))
        if member is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        rows = gate.records(chosen_access(request)).filter(member=member)
        groups: dict[str, list[Record]] = {}
        for record in rows.select_related("category").order_by("category_id", "-date", "-id"):
            groups.setdefault(record.category.name, []).append(record)
        shown = [f for f in self.opts.fields if f.name not in ("id", "source_id")]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("加入者"),
            "subtitle": f"{member} {member.name}",
            "member": member,
            "details": [(f.verbose_name, _shown(member, f)) for f in shown],
            "groups": groups,
            "consents": gate.of_members(chosen_access(request), Consent)
            .filter(member=member)
            .select_related("purpose"),
            "may_edit": self.has_change_permission(request, member),
            "edit": EDIT,
            "protections": list(Protection.objects.in_force().filter(member=member)),
        }
        return TemplateResponse(request, "admin/records/member/view.html", context)


def _shown(member: Member, field) -> str:
    value = getattr(member, field.name)
    if field.choices:
        return getattr(member, f"get_{field.name}_display")()
    if isinstance(value, datetime.date):
        return date_format(value)
    return "" if value is None else str(value)


class RecordForm(forms.ModelForm):
    """A record in a category of the access; its content typed field by field
    (`records.payload_forms`), checked against the category's schema, each message beside
    its field.
    """

    access: gate.Access  # bound by RecordAdmin.get_form, with the category's code
    category_code: str | None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.category_code:
            self.initial.update(
                payload_forms.initial_for(self.category_code, self.instance.payload)
            )

    def clean(self):
        data = super().clean()
        if self.access.statutory is not None:
            raise forms.ValidationError(
                _(
                    "法令に基づく例外の閲覧では記録を追加・変更できません。利用目的を選んでください。"
                )
            )
        member = data.get("member")
        # A record keeps its category (read-only on its page): a new one names it.
        category = self.instance.category if self.instance.pk else data.get("category")
        if member and category and not gate.may_hold(self.access, member=member, category=category):
            self.add_error(
                "category" if "category" in self.fields else None,
                _("この加入者の「%(category)s」の記録は、選んだ利用目的ではあなたの担当外です。")
                % {"category": category.name},
            )
        if self.category_code:
            data["payload"] = payload_forms.payload_from(self, self.category_code)
            if data["payload"] is not None:
                self.instance.payload = data["payload"]
        return data

    def _update_errors(self, errors):
        # The model's check of the payload says what `payload_from` has already said
        # beside each field.
        if hasattr(errors, "error_dict"):
            errors.error_dict.pop("payload", None)
            if not errors.error_dict:
                return
        super()._update_errors(errors)


@admin.register(Record)
class RecordAdmin(MemberSearchMixin, PurposePickerMixin, GatedAdminMixin, admin.ModelAdmin):
    """Records of the access. A new record starts from its category (`add_view` asks for it
    first), because the category decides the content's fields; it keeps that category."""

    gate_rows = staticmethod(gate.records)
    form = RecordForm
    # A scope of a million receipts lists them with an estimate of how many (「約130万件」),
    # and the exact count a click away.
    paginator = EstimatedCountPaginator
    list_display = ("date", "member", "category", "title", "summary")
    list_select_related = ("member", "category")
    list_filter = (ScopedCategoryFilter,)
    search_fields = ("title",)
    autocomplete_fields = ("member",)
    show_full_result_count = False
    actions = ("export_csv",)

    def has_add_permission(self, request):
        # The handler role holds change, not add: adding a record to the scope is a change
        # of the scope's data; the form limits it to the access's categories.
        return self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        # A sealed record whose key is gone or out of reach reads as unreadable: saving it
        # would overwrite what it holds with nothing (records.sealing).
        if obj is not None and obj.unreadable:
            return False
        return super().has_change_permission(request, obj)

    def _category(self, request, obj) -> Category | None:
        """The record's category; for a new one, the access's category the request names."""
        if obj is not None:
            return obj.category
        chosen = request.POST.get("category") or request.GET.get("category")
        if not (chosen and chosen.isdigit()):
            return None
        return gate.categories(chosen_access(request)).filter(pk=chosen).first()

    def get_fieldsets(self, request, obj=None):
        category = self._category(request, obj)
        if not self.has_change_permission(request, obj) or category is None:
            return [(None, {"fields": ("member", "category", "date", "title", "contents")})]
        base = ("member", "date", "title") if obj else ("member", "category", "date", "title")
        fields = tuple(payload_forms.fields_for(category.code))
        return [(None, {"fields": base}), (_("内容（%s）") % category.name, {"fields": fields})]

    def get_readonly_fields(self, request, obj=None):
        return ("contents", "category") if obj else ("contents",)

    def get_form(self, request, obj=None, **kwargs):
        category = self._category(request, obj)
        code = category.code if category else None
        fields = payload_forms.fields_for(code) if code else {}
        form = type(
            "RecordForm",
            (self.form,),
            {**fields, "access": chosen_access(request), "category_code": code},
        )
        return super().get_form(request, obj, form=form, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET" and self._category(request, None) is None:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("記録を追加する：類型を選ぶ"),
                "categories": gate.categories(chosen_access(request)),
            }
            return TemplateResponse(request, "admin/records/record/choose_category.html", context)
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {**(extra_context or {}), **_record_heading(record)}
        if record.unreadable:
            messages.error(request, record.unreadable)
        return super().change_view(request, object_id, form_url, context)

    def save_model(self, request, obj, form, change):
        fields = ("member", "category", "date", "title", "payload")
        if change:
            changed = {f: form.cleaned_data[f] for f in fields if f in form.changed_data}
            if any(name.startswith(payload_forms.PREFIX) for name in form.changed_data):
                changed["payload"] = form.cleaned_data["payload"]
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
        """The chosen records for Excel: one column per item of content, headed by its
        Japanese title, values as a person writes them, masked as in lists. A category
        flagged 個人番号を含む is never exported (番号法第19条・第20条): the export is refused."""
        if queryset.filter(category__includes_my_number=True).exists():
            self.message_user(
                request, str(gate.MyNumberWithheld(gate.Surface.EXPORT)), level=messages.ERROR
            )
            return None
        rows = list(
            queryset.on_surface(gate.Surface.EXPORT)
            .select_related("member", "category")
            .order_by(*search.natural_order("member__"), "category_id", "date", "id")
        )
        columns: dict[tuple[str, str], str] = {}  # (category code, key) -> header
        for category in sorted({r.category for r in rows}, key=lambda c: c.pk):
            for key, title in titles(category.code).items():
                columns[(category.code, key)] = title
        repeated = {t for t in columns.values() if list(columns.values()).count(t) > 1}
        names = {c.code: c.name for c in {r.category for r in rows}}
        headers = [
            f"{title}（{names[code]}）" if title in repeated else title
            for (code, _key), title in columns.items()
        ]
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, _("記録") + ".csv")
        writer = spreadsheet.excel_writer(response)
        writer.writerow([_("記号-番号-枝番"), _("氏名"), _("類型"), _("日付"), _("件名"), *headers])
        for record in rows:
            code = record.category.code
            shown = display_values(code, record.payload)
            writer.writerow(
                [
                    str(record.member),
                    record.member.name,
                    record.category.name,
                    record.date.isoformat(),
                    record.title,
                    *(shown.get(key, "") if c == code else "" for c, key in columns),
                ]
            )
        return response


def _record_heading(record: Record) -> dict:
    """A record's page is headed by what it is, not by its ids: category, member, date."""
    return {
        "title": _("%(category)sの記録") % {"category": record.category.name},
        "subtitle": _("%(member)s %(name)s　%(date)s")
        % {"member": record.member, "name": record.member.name, "date": date_format(record.date)},
    }


class MemberGrantForm(forms.ModelForm):
    """A member-level scope, found by the member's insurance number (記号・番号・枝番)."""

    symbol = forms.CharField(label=gettext_lazy("記号"))
    number = forms.CharField(label=gettext_lazy("番号"))
    branch = forms.CharField(label=gettext_lazy("枝番"))

    class Meta:
        model = MemberUserObjectPermission
        fields = ("user",)
        labels = {"user": gettext_lazy("職員")}

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
    list_display = ("staff", "member")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("user__username",)

    @admin.display(description=gettext_lazy("職員"), ordering="user__username")
    def staff(self, grant):
        return f"{grant.user.get_username()} {grant.user.get_full_name()}".strip()

    # The member by id only: this list is read by others than the officer (the 監事), and a
    # member's 記号・番号 is theirs to read through the gate.
    @admin.display(description=gettext_lazy("担当する加入者"), ordering="content_object_id")
    def member(self, grant):
        return _("加入者 #%(id)s") % {"id": grant.content_object_id}

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
class RestrictionAdmin(MemberSearchMixin, GatedAdminMixin, admin.ModelAdmin):
    """利用停止 and 第三者提供の停止 of the members the access may read; added, never edited."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=Restriction))
    list_display = ("member", "kind", "category", "purpose", "since", "until", "reference")
    list_select_related = ("member", "category", "purpose")
    list_filter = ("kind",)
    search_fields = ("reference",)
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


@admin.register(Consent)
class ConsentAdmin(MemberSearchMixin, GatedAdminMixin, admin.ModelAdmin):
    """本人の同意 and 不同意の申出 of the members the access may read: recorded, then only
    withdrawn (the action, with the permission to withdraw), never edited."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=Consent))
    list_display = ("member", "kind", "covers", "method", "given_on", "withdrawn_on", "reference")
    list_select_related = ("member", "purpose")
    list_filter = ("kind", "method")
    search_fields = ("reference",)
    fields = ("member", "kind", "purpose", "recipient", "method", "given_on", "reference")
    autocomplete_fields = ("member",)
    actions = ("withdraw",)

    @admin.display(description=gettext_lazy("対象"))
    def covers(self, consent: Consent) -> str:
        return consent.covers

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "purpose":  # any purpose the member consents to, whatever the scope
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("records.withdraw_consent")

    def save_model(self, request, obj, form, change):
        fields = ("member", "kind", "purpose", "recipient", "method", "given_on", "reference")
        obj.pk = consent_record(by=request.user, **{f: form.cleaned_data[f] for f in fields}).pk

    @admin.action(
        description=gettext_lazy("選んだ同意等を本日付で撤回する"), permissions=["withdraw"]
    )
    def withdraw(self, request, queryset):
        today = timezone.localdate()
        withdrawn = 0
        for consent in queryset:
            if consent.withdrawn_on is not None or consent.given_on > today:
                messages.error(
                    request,
                    _("%(consent)sは撤回済みか、同意日が本日より後のため撤回できません。")
                    % {"consent": consent},
                )
                continue
            consent_withdraw(consent=consent, withdrawn_on=today, by=request.user)
            withdrawn += 1
        if withdrawn:
            messages.success(request, _("%(count)d件の撤回を登録しました。") % {"count": withdrawn})


class ProtectionForm(forms.ModelForm):
    """A new protection names its member by 記号-番号-枝番, typed as on the 支援措置's papers
    and found through the officer's access (`gate.open_protections`): no list of members to
    browse, only the one asked for, and that read is audited."""

    card = forms.CharField(
        label=gettext_lazy("記号-番号-枝番"),
        max_length=40,
        required=False,  # a new protection's only: required below
        help_text=gettext_lazy("保護する加入者の記号・番号・枝番（例：1001-1-00）"),
    )
    access: gate.Access  # bound by ProtectionAdmin.get_form

    def clean_card(self) -> str:
        typed = self.cleaned_data["card"]
        if self.instance.pk:  # the member is the protection's: shown, not asked
            return ""
        if not typed:
            raise forms.ValidationError(self.fields["card"].error_messages["required"])
        parsed = search.insurance_id(typed)
        if parsed is None or parsed[2] is None:
            raise forms.ValidationError(
                _("記号・番号・枝番を「1001-1-00」のように、ハイフンで区切って入力してください。")
            )
        symbol, number, branch = parsed
        found = list(
            gate.members(self.access).filter(symbol=symbol, number=number, branch=branch)[:1]
        )
        if not found:
            raise forms.ValidationError(
                _("記号・番号・枝番「%(card)s」の加入者はいません。番号を確かめてください。")
                % {"card": f"{symbol}-{number}-{branch}"}
            )
        self.instance.member = found[0]
        return typed

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("until"):
            self.add_error("until", _("解除するときは終了日（措置の最終日）を入力してください。"))
        return cleaned


@admin.register(Protection)
class ProtectionAdmin(MemberSearchMixin, GatedAdminMixin, admin.ModelAdmin):
    """保護措置 (DV, stalking, child abuse) on the members the access may read: set by the
    privacy officer, and lifted by giving its last day; never deleted while the member is
    kept (it goes with the member's 消去). Only the officer's role holds the permissions."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=Protection))
    form = ProtectionForm
    list_display = ("member", "basis", "since", "until")
    list_select_related = ("member",)
    list_filter = ("basis",)
    search_fields = ()

    def gate_access(self, request) -> gate.Access:
        # The officer's own route, by role (no scope, no purpose); anyone else is refused,
        # audited, and the menu shows the page to those the role's permissions allow.
        if not hasattr(request, "protections_access"):
            request.protections_access = gate.open_protections(user=request.user)
        return request.protections_access

    def get_model_perms(self, request):
        # Listed in the menu for the officer's role alone, which holds the permissions.
        perms = admin.ModelAdmin.get_model_perms(self, request)
        return (
            perms if has_role(request.user, Role.PRIVACY_OFFICER) else dict.fromkeys(perms, False)
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("card", "basis", "since", "until", "persons")
        return ("member", "basis", "since", "until", "persons")

    def get_readonly_fields(self, request, obj=None):
        # Once set, only its end: a new basis or person is a new protection.
        return ("member", "basis", "since", "persons") if obj is not None else ()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"access": self.gate_access(request)})

    def save_model(self, request, obj, form, change):
        if change:
            obj.pk = protection_lift(
                protection=obj, until=form.cleaned_data["until"], by=request.user
            ).pk
            return
        fields = ("basis", "since", "until", "persons")
        obj.pk = protection_set(
            by=request.user, member=obj.member, **{f: form.cleaned_data[f] for f in fields}
        ).pk


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
            "condition_confirmed",
            "legal_basis_detail",
        )
        widgets = {"legal_basis": forms.RadioSelect}
        help_texts = {
            "condition_confirmed": gettext_lazy(
                "第2号・第3号は本人の同意を得ることが困難であるとき、第4号は本人の同意を得る"
                "ことにより事務の遂行に支障を及ぼすおそれがあるとき、第7号は提供先が学術研究"
                "機関等で学術研究目的で取り扱う必要があり、個人の権利利益を不当に侵害するおそれが"
                "ないときに限られます。"
            )
        }

    def clean_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        basis = cleaned.get("legal_basis")
        confirmed = cleaned.get("condition_confirmed", False)
        if basis and (refusal := condition_refusal(basis, confirmed=confirmed)):
            self.add_error("condition_confirmed", refusal)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.provision = provision_register(by=self.by, **self.cleaned_data)
        except ProvisionRefused as refused:
            self.add_error(None, str(refused))


class KeptUnderFilter(admin.SimpleListFilter):
    """The Art. 29 records apart from the provisions under an Art. 27(1) exception."""

    title = gettext_lazy("記録の根拠")
    parameter_name = "kept_under"

    def lookups(self, request, model_admin):
        return ThirdPartyProvision.KeptUnder.choices

    def queryset(self, request, queryset):
        if self.value() == ThirdPartyProvision.KeptUnder.ART29:
            return queryset.filter(ThirdPartyProvision.ART29_RECORDS)
        if self.value() == ThirdPartyProvision.KeptUnder.ART27_1:
            return queryset.exclude(ThirdPartyProvision.ART29_RECORDS)
        return queryset


@admin.register(ThirdPartyProvision)
class ThirdPartyProvisionAdmin(MemberSearchMixin, GatedAdminMixin, admin.ModelAdmin):
    """第三者提供記録 of the members the access may read; registered, never edited."""

    gate_rows = staticmethod(functools.partial(gate.of_members, model=ThirdPartyProvision))
    form = ProvisionForm
    list_display = ("provided_on", "member", "category", "recipient", "legal_basis", "kept_under")
    list_select_related = ("member", "category")
    list_filter = (KeptUnderFilter, "legal_basis")
    search_fields = ("recipient",)
    autocomplete_fields = ("member",)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("記録の根拠"))
    def kept_under(self, provision: ThirdPartyProvision) -> str:
        return str(provision.kept_under.label)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        obj.pk = form.provision.pk  # registered by the form's last check
