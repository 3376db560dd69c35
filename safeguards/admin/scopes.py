"""Admin screens of the safeguards.

Scopes: the privacy officer assigns each handler the categories they handle and the desks
whose filings they read (one screen per user, a checkbox per category and per desk), or
assigns them to a group, whose members then hold them through it (one screen per group,
the same checkboxes), through `safeguards.scopes`, which audits each change; the scope
register lists who handles which data and which desk, and which groups hold what for whom,
printable for the file and the 監事.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ViewOnlyMixin
from purposes.models import Category
from safeguards.approvals import pending_for
from safeguards.models import Approval, CategoryUserObjectPermission, Desk
from safeguards.roles import Role, has_role
from safeguards.scopes import (
    ask_scope_grant,
    category_ids_for,
    desk_codes_for,
    direct_category_ids,
    grant_refusal,
    group_scopes,
    withdraw_scope,
)

# --- Scopes -------------------------------------------------------------------------------


class CategoryScopeForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("取り扱う類型"),
        queryset=Category.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    desks = forms.MultipleChoiceField(
        label=gettext_lazy("担当する窓口"),
        choices=Desk.Code.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "窓口に届いた請求・苦情（本人確認書類・通知書を含む）を閲覧し、対応できます。"
            "個人情報取扱責任者は役割により両方の窓口を担当します。"
        ),
    )

    def __init__(self, *args, subject: AbstractBaseUser | Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject

    def clean_categories(self):
        # 番号法: a new grant is refused here, beside the field, as `grant_scope` refuses it;
        # one held from before a designation was withdrawn stays until it is unticked.
        chosen = self.cleaned_data["categories"]
        held = set(self.initial.get("categories", ()))
        refusals = [grant_refusal(self.subject, c) for c in chosen if c.pk not in held]
        if refusals := [refusal for refusal in refusals if refusal]:
            raise forms.ValidationError(refusals)
        return chosen


class CategoryFilter(admin.SimpleListFilter):
    # guardian's field is named `content_object`: its own title would read so, in English.
    title = gettext_lazy("類型")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(category.pk, category.name) for category in Category.objects.order_by("order")]

    def queryset(self, request, queryset):
        return queryset.filter(content_object_id=self.value()) if self.value() else queryset


@admin.register(CategoryUserObjectPermission)
class CategoryScopeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Handlers and their categories; changed per user on the scope screen, never row by row."""

    list_display = ("staff", "category")
    # A grant is not a page of its own: the staff member's name leads to their scope screen.
    list_display_links = None
    list_select_related = ("user", "content_object")
    list_filter = (CategoryFilter,)
    search_fields = ("user__username", "user__last_name", "user__first_name")
    change_list_template = "admin/safeguards/scope_change_list.html"

    def get_list_display(self, request):
        if request.user.has_perm("safeguards.add_categoryuserobjectpermission"):
            return ("staff_link", "category")
        return self.list_display

    @admin.display(description=gettext_lazy("職員"), ordering="user__username")
    def staff(self, grant):
        return f"{grant.user.get_username()} {grant.user.get_full_name()}".strip()

    @admin.display(description=gettext_lazy("職員"), ordering="user__username")
    def staff_link(self, grant):
        """The name, leading to the staff member's scope screen (for who may change it)."""
        url = reverse("admin:scope_edit", args=[grant.user_id])
        return format_html('<a href="{}">{}</a>', url, self.staff(grant))

    @admin.display(description=gettext_lazy("取り扱う類型"), ordering="content_object__order")
    def category(self, grant):
        return grant.content_object.name

    def get_urls(self):
        return [
            path(
                "register/", self.admin_site.admin_view(self.register_view), name="scope_register"
            ),
            path("user/", self.admin_site.admin_view(self.users_view), name="scope_users"),
            path(
                "user/<int:user_id>/", self.admin_site.admin_view(self.edit_view), name="scope_edit"
            ),
            path("group/", self.admin_site.admin_view(self.groups_view), name="scope_groups"),
            path(
                "group/<int:group_id>/",
                self.admin_site.admin_view(self.group_edit_view),
                name="scope_group_edit",
            ),
            *super().get_urls(),
        ]

    def _staff(self):
        return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")

    def users_view(self, request):
        if not request.user.has_perm("safeguards.add_categoryuserobjectpermission"):
            raise PermissionDenied
        staff = self._staff().prefetch_related("groups")
        names = dict(Category.objects.values_list("pk", "name"))
        roles = set(Role.values)
        context = {
            **self.admin_site.each_context(request),
            "title": _("担当の割当て"),
            "rows": [
                {
                    "user": user,
                    "roles": [Role(g.name).label for g in user.groups.all() if g.name in roles],
                    "categories": [names[pk] for pk in sorted(category_ids_for(user))],
                    "desks": _desk_names(user),
                }
                for user in staff
            ],
        }
        return TemplateResponse(request, "admin/safeguards/scope_users.html", context)

    def edit_view(self, request, user_id):
        if not request.user.has_perm("safeguards.add_categoryuserobjectpermission"):
            raise PermissionDenied
        user = get_object_or_404(self._staff(), pk=user_id)
        # The boxes are the person's own grants; what they hold through a group is listed
        # below them and changed on the group's screen (unticking it here would do nothing).
        held = {"user": user}
        current, desks = direct_category_ids(user), _granted_desks(user)
        form = CategoryScopeForm(
            request.POST if request.method == "POST" else None,
            initial={"categories": sorted(current), "desks": sorted(desks)},
            subject=user,
        )
        if request.method == "POST" and form.is_valid():
            self._save(request, form, held, current, desks, whom=user.get_username())
            return HttpResponseRedirect(reverse("admin:scope_users"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("担当の割当て：%s") % user.get_username(),
            "form": form,
            "subject": user,
            "pending": pending_for(user, kind=Approval.Kind.SCOPE_GRANT),
            "through_groups": [
                row for row in group_scopes(user.groups.all()) if row.categories or row.desks
            ],
        }
        return TemplateResponse(request, "admin/safeguards/scope_edit.html", context)

    def groups_view(self, request):
        if not request.user.has_perm("safeguards.add_categoryuserobjectpermission"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("グループの担当の割当て"),
            "rows": group_scopes(Group.objects.all()),
        }
        return TemplateResponse(request, "admin/safeguards/scope_groups.html", context)

    def group_edit_view(self, request, group_id):
        if not request.user.has_perm("safeguards.add_categoryuserobjectpermission"):
            raise PermissionDenied
        group = get_object_or_404(Group, pk=group_id)
        (row,) = group_scopes(Group.objects.filter(pk=group.pk))
        current, desks = {c.pk for c in row.categories}, set(row.desks)
        form = CategoryScopeForm(
            request.POST if request.method == "POST" else None,
            initial={"categories": sorted(current), "desks": sorted(desks)},
            subject=group,
        )
        if request.method == "POST" and form.is_valid():
            whom = _("グループ「%s」") % group.name
            self._save(request, form, {"group": group}, current, desks, whom=whom)
            return HttpResponseRedirect(reverse("admin:scope_groups"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("グループの担当の割当て：%s") % group.name,
            "form": form,
            "group_scope": row,
            "pending": Approval.objects.filter(
                kind=Approval.Kind.SCOPE_GRANT,
                state=Approval.State.PENDING,
                change__op="grant_scope",
                change__group=group.pk,
            ).select_related("requested_by"),
        }
        return TemplateResponse(request, "admin/safeguards/scope_edit.html", context)

    def _save(self, request, form, holder: dict, current: set, desks: set, *, whom: str) -> None:
        """Withdraw what was unticked at once; ask a second officer for what was ticked."""
        chosen = {c.pk: c for c in form.cleaned_data["categories"]}
        for category in Category.objects.filter(pk__in=current - set(chosen)):
            withdraw_scope(**holder, category=category, by=request.user)
        chosen_desks = set(form.cleaned_data["desks"])
        for code in desks - chosen_desks:
            withdraw_scope(**holder, desk=Desk.of(code), by=request.user)
        # A grant widens what someone reads: a second privacy officer approves it.
        asked = [
            ask_scope_grant(**holder, category=chosen[pk], by=request.user)
            for pk in sorted(set(chosen) - current)
        ] + [
            ask_scope_grant(**holder, desk=Desk.of(code), by=request.user)
            for code in sorted(chosen_desks - desks)
        ]
        if not asked:
            messages.success(request, _("%s の担当を更新しました。") % whom)
        else:
            messages.warning(
                request,
                _(
                    "次の割当ては、別の個人情報取扱責任者の承認の後に反映されます"
                    "（承認（二者確認）の画面）：%s"
                )
                % "、".join(approval.description for approval in asked),
            )

    def register_view(self, request):
        """取扱担当者とその取り扱う個人データの範囲 (the notice's organisational safeguard)."""
        if not request.user.has_perm("safeguards.view_categoryuserobjectpermission"):
            raise PermissionDenied
        rows = []
        for user in self._staff().prefetch_related("groups"):
            ids = category_ids_for(user)
            members = user.memberuserobjectpermission_set.count()
            desks = _desk_names(user)
            if ids or members or desks:
                rows.append(
                    {
                        "user": user,
                        "roles": [g.name for g in user.groups.all() if g.name in Role.values],
                        "categories": Category.objects.filter(pk__in=ids),
                        "members": members,
                        "desks": desks,
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("取扱担当者とその取り扱う個人データの範囲"),
            "rows": rows,
            "groups": group_scopes(),
        }
        return TemplateResponse(request, "admin/safeguards/scope_register.html", context)


def _granted_desks(user) -> set[str]:
    """The desks granted to `user` themself (the officer's by role are not grants)."""
    return set(
        user.deskuserobjectpermission_set.filter(permission__codename="handle_desk").values_list(
            "content_object__code", flat=True
        )
    )


def _desk_names(user) -> list[str]:
    """The desks `user` handles, as the register prints them: the officer's by role, said so."""
    codes = desk_codes_for(user)
    officer = has_role(user, Role.PRIVACY_OFFICER)
    names = [str(label) for code, label in Desk.Code.choices if code in codes]
    if officer:
        return [_("%(desk)s（個人情報取扱責任者として）") % {"desk": name} for name in names]
    return names
