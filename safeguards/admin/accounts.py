"""Admin screens of administration: staff accounts, groups (roles), API tokens and the
four-eyes approvals.

What widens someone's access is not saved by the form that asks for it: a group joined, a
permission added to a user or a group, `is_superuser` ticked are filed as approvals
(`safeguards.approvals`) and happen when a second privacy officer approves them on the
approval's page; everything else saves as usual. Every change is an event
(`safeguards.accounts`).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import (
    ReadOnlyPasswordHashField,
    ReadOnlyPasswordHashWidget,
    UserChangeForm,
)
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import ManyToManyField
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import TokenProxy

from safeguards import approvals, tokens
from safeguards.models import ApiToken, Approval

User = get_user_model()

for model in (User, Group, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def _codename(permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


# Django's four permissions of every model, and the models of the libraries that name them in
# English (the project's own models and Django's are named in Japanese).
VERBS = {
    "add": gettext_lazy("追加"),
    "change": gettext_lazy("変更"),
    "delete": gettext_lazy("削除"),
    "view": gettext_lazy("閲覧"),
}
LIBRARY_MODELS = {
    "guardian.userobjectpermission": gettext_lazy("対象ごとの権限（職員）"),
    "guardian.groupobjectpermission": gettext_lazy("対象ごとの権限（グループ）"),
    "otp_totp.totpdevice": gettext_lazy("認証アプリ（TOTP）"),
    "axes.accessattempt": gettext_lazy("サインインの試行"),
    "axes.accessfailurelog": gettext_lazy("サインインの失敗"),
    "axes.accessattemptexpiration": gettext_lazy("サインインの試行の期限"),
    "axes.accesslog": gettext_lazy("サインインの記録"),
    "django_tasks_database.dbtaskresult": gettext_lazy("タスクの実行結果"),
}


def permission_label(permission) -> str:
    """A permission in Japanese: 「加入者：閲覧」 for Django's four, its own name otherwise."""
    content_type = permission.content_type
    model = content_type.model_class()
    key = f"{content_type.app_label}.{content_type.model}"
    name = LIBRARY_MODELS.get(key) or (model._meta.verbose_name if model else key)
    verb = permission.codename.removesuffix(f"_{content_type.model}")
    return f"{name}：{VERBS.get(verb, permission.name)}"


class PermissionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return permission_label(obj)


PERMISSION_FIELDS = ("permissions", "user_permissions")


class PasswordSetWidget(ReadOnlyPasswordHashWidget):
    """Whether a password is set, and the button to set one: not the hash's algorithm, salt
    and digest, even masked (nobody reading an account needs them)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        set_or_not = _("設定されています。") if usable else _("設定されていません。")
        context["summary"] = [{"label": _("パスワードは%s") % set_or_not}]
        return context


class StaffUserChangeForm(UserChangeForm):
    password = ReadOnlyPasswordHashField(
        label=gettext_lazy("パスワード"),
        widget=PasswordSetWidget,
        help_text=gettext_lazy("パスワードはそのまま保存されないため、誰も見ることができません。"),
    )


class PermissionsPickerMixin(admin.ModelAdmin):
    """The permissions of a user or a group by their Japanese names: picked, and read by who
    may only view them."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        "permission_names" if field in PERMISSION_FIELDS else field
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "permission_names")

    @admin.display(description=gettext_lazy("権限"))
    def permission_names(self, obj) -> str:
        held = obj.permissions if isinstance(obj, Group) else obj.user_permissions
        return "、".join(permission_label(p) for p in held.select_related("content_type"))

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.name in ("permissions", "user_permissions"):
            kwargs["form_class"] = PermissionsField
        # The stubs type `request` as optional in GroupAdmin, required in ModelAdmin.
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[arg-type]


def _held_back(request, asked: list[Approval]) -> None:
    """Tell the user what waits for a second officer."""
    if asked:
        messages.warning(
            request,
            _(
                "次の変更は、別の個人情報取扱責任者の承認の後に反映されます"
                "（承認（二者確認）の画面）：%s"
            )
            % "、".join(approval.description for approval in asked),
        )


@admin.register(User)
class StaffUserAdmin(PermissionsPickerMixin, UserAdmin):
    form = StaffUserChangeForm
    change_form_template = "admin/auth/user/change_form.html"

    def save_model(self, request, obj, form, change):
        request._kumiai_asked = []
        was_superuser = change and User.objects.filter(pk=obj.pk, is_superuser=True).exists()
        wants_superuser = obj.is_superuser and not was_superuser
        if wants_superuser:
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
        if wants_superuser:
            request._kumiai_asked.append(
                approvals.ask(
                    kind=approvals.Kind.ROLE_CHANGE,
                    change={"op": "set_superuser", "user": obj.pk},
                    description=_("%s をスーパーユーザーにする") % obj.get_username(),
                    subject=obj,
                    by=request.user,
                )
            )

    def save_related(self, request, form, formsets, change):
        asked = getattr(request, "_kumiai_asked", [])
        user = form.instance
        name = user.get_username()
        for field, op, key, describe in (
            (
                "groups",
                "add_group",
                "group",
                lambda g: (
                    _("%(user)s をグループ「%(group)s」に加える") % {"user": name, "group": g.name}
                ),
            ),
            (
                "user_permissions",
                "add_user_permission",
                "permission",
                lambda p: (
                    _("%(user)s に権限「%(permission)s」を付与する")
                    % {"user": name, "permission": _codename(p)}
                ),
            ),
        ):
            if field not in form.cleaned_data:
                continue
            held = set(getattr(user, field).values_list("pk", flat=True))
            wanted = list(form.cleaned_data[field])
            # Removals save now; additions wait for the second officer.
            form.cleaned_data[field] = [obj for obj in wanted if obj.pk in held]
            asked += [
                approvals.ask(
                    kind=approvals.Kind.ROLE_CHANGE,
                    change={"op": op, "user": user.pk, key: obj.pk},
                    description=describe(obj),
                    subject=user,
                    by=request.user,
                )
                for obj in wanted
                if obj.pk not in held
            ]
        super().save_related(request, form, formsets, change)
        _held_back(request, asked)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["pending_for_user"] = approvals.pending_for(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Group)
class RoleGroupAdmin(PermissionsPickerMixin, GroupAdmin):
    def save_related(self, request, form, formsets, change):
        group = form.instance
        held = set(group.permissions.values_list("pk", flat=True))
        wanted = list(form.cleaned_data.get("permissions", []))
        form.cleaned_data["permissions"] = [p for p in wanted if p.pk in held]
        asked = [
            approvals.ask(
                kind=approvals.Kind.ROLE_CHANGE,
                change={"op": "add_group_permission", "group": group.pk, "permission": p.pk},
                description=_("グループ「%(group)s」に権限「%(permission)s」を付与する")
                % {"group": group.name, "permission": _codename(p)},
                by=request.user,
            )
            for p in wanted
            if p.pk not in held
        ]
        super().save_related(request, form, formsets, change)
        _held_back(request, asked)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("user",)
        labels = {"user": gettext_lazy("職員")}
        help_texts = {
            "user": gettext_lazy(
                "在職中の職員にだけ発行できます。一人に一つで、発行から有効期限までの間だけ"
                "使えます。職員でなくなるとすぐに使えなくなります。"
            )
        }


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds a token, since when, until when; issue (the key is shown once) and revoke."""

    form = ApiTokenForm
    list_display = ("holder", "issued", "expires", "status")
    # A token's primary key is its secret: no page is linked by it, and the list's checkboxes
    # carry the holder's id instead (one token per holder).
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("user__username",)
    ordering = ("created",)
    actions = ("revoke",)

    def action_checkbox(self, obj):
        attrs = {"class": "action-select", "aria-label": str(obj)}
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.user_id))

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and helpers.ACTION_CHECKBOX_NAME in request.POST:
            post = request.POST.copy()
            holders = [h for h in post.getlist(helpers.ACTION_CHECKBOX_NAME) if h.isdigit()]
            keys = ApiToken.objects.filter(user_id__in=holders).values_list("key", flat=True)
            post.setlist(helpers.ACTION_CHECKBOX_NAME, list(keys))
            request.POST = post
        return super().changelist_view(request, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True).order_by(
                "username"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("職員"), ordering="user__username")
    def holder(self, token):
        return token.user.get_username()

    @admin.display(description=gettext_lazy("発行日時"), ordering="created")
    def issued(self, token):
        return token.created

    @admin.display(description=gettext_lazy("有効期限"))
    def expires(self, token):
        return tokens.expires_at(token)

    @admin.display(description=gettext_lazy("状態"))
    def status(self, token):
        if not (token.user.is_active and token.user.is_staff):
            return _("使用不可（職員でない）")
        if tokens.expired(token):
            return format_html('<strong class="errornote">{}</strong>', _("期限切れ"))
        return _("有効")

    @admin.action(description=gettext_lazy("選択したトークンを失効させる"), permissions=("delete",))
    def revoke(self, request, queryset):
        count = 0
        for token in queryset:
            token.delete()  # each an event (safeguards.accounts)
            count += 1
        self.message_user(request, _("%d 件のトークンを失効させました。") % count, messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown this once, on this page; the list never shows it.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("APIトークンを発行しました"),
            "token": obj,
            "expires": tokens.expires_at(obj),
        }
        return TemplateResponse(request, "admin/safeguards/apitoken/issued.html", context)


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    """The four-eyes list: what waits for a second privacy officer, and what was decided."""

    list_display = (
        "requested_at",
        "kind",
        "description",
        "requested_by",
        "state",
        "decided_by",
    )
    list_display_links = ("description",)
    list_filter = ("state", "kind")
    list_select_related = ("requested_by", "decided_by")
    fields = (*list_display[1:], "decided_at", "subject", "used_at")
    readonly_fields = fields
    change_form_template = "admin/safeguards/approval/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="safeguards_approval_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        approval = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if approval is not None:
            extra["refusal"] = approvals.refusal(request.user, approval)
        return super().change_view(request, object_id, form_url, extra)

    def decide_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        approval = get_object_or_404(Approval, pk=pk)
        decision = {"approve": approvals.approve, "reject": approvals.reject}.get(
            request.POST.get("decision", "")
        )
        back = HttpResponseRedirect(reverse("admin:safeguards_approval_change", args=[pk]))
        if decision is None:
            self.message_user(request, _("承認か却下を選んでください。"), messages.ERROR)
            return back
        try:
            decided = decision(approval=approval, by=request.user)
        except PermissionDenied as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return back
        self.message_user(
            request,
            _("「%(what)s」を%(state)sにしました。")
            % {"what": decided.description, "state": decided.get_state_display()},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:safeguards_approval_changelist"))
