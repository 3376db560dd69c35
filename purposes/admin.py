"""The privacy officer's screens: the draft register and notice, and publishing it.

Every save and delete goes through `core.audited` (validated, audited); publishing calls
`services.publish`. Revisions are read-only here: they are what was published.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import ViewOnlyMixin
from core.audited import AuditedAdmin

from . import page, services
from .models import (
    DUPLICATE_PURPOSE_MESSAGE,
    Category,
    Exemption,
    Note,
    Notice,
    NoticeRevision,
    Permission,
    Purpose,
    Safeguard,
)
from .snapshot import build_snapshot, differences


def draft_status() -> tuple[NoticeRevision | None, list[str]]:
    """The latest published revision and the parts in which the draft differs from it."""
    latest = NoticeRevision.objects.order_by("-number").first()
    if not Notice.objects.filter(pk=1).exists():
        return latest, []
    changed = differences(build_snapshot(), latest.snapshot if latest else None)
    # Where the latest revision kept the page beside it, a change there is told too.
    if latest and latest.page:
        on = max(timezone.localdate(), latest.effective_on)
        if latest.page != page.beside_html(latest.snapshot, on=on):
            changed.append(str(_("公表事項に添えて掲げた事項（委託先、共同利用、保存期間など）")))
    return latest, changed


class DraftAdmin(AuditedAdmin):
    """A draft row of the register or the notice: audited, and the list says when the draft
    differs from what was published."""

    def changelist_view(self, request, extra_context=None):
        _latest, changed = draft_status()
        if changed:
            self.message_user(
                request,
                _("下書きは公表済みの内容と異なります（%(parts)s）。公表するまで効力はありません。")
                % {"parts": "、".join(changed)},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


class PermissionFormSet(BaseInlineFormSet):
    """Refuses one purpose twice for a category over overlapping periods.

    Checked here, over the whole set, rather than row by row against the database: ending
    one period and starting the next in the same save is the ordinary way to change one.
    """

    def clean(self):
        super().clean()
        kept = []
        for form in self.forms:
            if not form.cleaned_data or self._should_delete_form(form) or form.errors:
                continue
            permission = form.instance
            if any(permission.overlaps(other) for other in kept):
                form.add_error("purpose", DUPLICATE_PURPOSE_MESSAGE)
            else:
                kept.append(permission)


class PermissionInline(admin.TabularInline):
    model = Permission
    formset = PermissionFormSet
    fields = ("order", "purpose", "valid_from", "valid_until")
    autocomplete_fields = ("purpose",)
    extra = 0
    ordering = ("order", "valid_from", "id")


@admin.register(Category)
class CategoryAdmin(DraftAdmin):
    list_display = ("order", "name", "code", "sensitive", "includes_my_number", "purpose_count")
    list_display_links = ("name",)
    list_filter = ("sensitive", "includes_my_number")
    search_fields = ("name", "code")
    inlines = (PermissionInline,)

    def get_readonly_fields(self, request, obj=None):
        # Other apps, scopes and the trail refer to a category by its code.
        return ("code",) if obj else ()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(purpose_count=Count("permissions"))

    @admin.display(description=gettext_lazy("利用目的の数"), ordering="purpose_count")
    def purpose_count(self, obj):
        return obj.purpose_count


@admin.register(Purpose)
class PurposeAdmin(DraftAdmin):
    list_display = ("name", "code", "consent")
    search_fields = ("name", "code")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()


class NoteInline(admin.TabularInline):
    model = Note
    fields = ("order", "text")
    extra = 0


class ExemptionInline(admin.TabularInline):
    model = Exemption
    fields = ("order", "text")
    extra = 0


class SafeguardInline(admin.StackedInline):
    model = Safeguard
    fields = ("order", "code", "name", "text")
    extra = 0


@admin.register(Notice)
class NoticeAdmin(DraftAdmin):
    inlines = (NoteInline, ExemptionInline, SafeguardInline)
    fieldsets = (
        (None, {"fields": ("society_name", "title")}),
        (gettext_lazy("1. 利用目的"), {"fields": ("purposes_heading", "intro")}),
        (gettext_lazy("2. 安全管理措置"), {"fields": ("safeguards_heading",)}),
        (
            gettext_lazy("3. 開示等の請求に応じる手続"),
            {"fields": ("requests_heading", "requests_text", "requests_page")},
        ),
        (
            gettext_lazy("4. 苦情の申出先"),
            {
                "fields": (
                    "complaints_heading",
                    "desk_department",
                    "desk_postal_code",
                    "desk_address",
                    "desk_phone",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        # One notice per install; the loader creates it.
        return not Notice.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


class PublishForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("公表の方法"),
        choices=NoticeRevision.Method.choices,
        initial=NoticeRevision.Method.WEBSITE,
    )
    effective = forms.DateField(
        label=gettext_lazy("適用日"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("本日以降。この日から新しい利用目的が適用されます。"),
    )
    added_related = forms.TypedChoiceField(
        label=gettext_lazy("追加する利用目的と変更前の利用目的との関連性"),
        choices=[
            (
                "yes",
                gettext_lazy("関連性を有する（法第17条第2項。公表・通知で足ります）"),
            ),
            (
                "no",
                gettext_lazy(
                    "関連性を有しない（法第18条第1項。本人の同意がある加入者の記録だけを"
                    "利用できます）"
                ),
            ),
        ],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("関連性の有無を選んでください。")},
    )

    def __init__(self, *args, added: list[Purpose], **kwargs):
        super().__init__(*args, **kwargs)
        if not added:  # nothing added: nothing to ask (Art. 17(2))
            del self.fields["added_related"]
        else:
            self.fields["added_related"].help_text = _("追加する利用目的：%(names)s") % {
                "names": "、".join(purpose.name for purpose in added)
            }


@admin.register(NoticeRevision)
class NoticeRevisionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    # Revisions are made by publishing (the button on the list).
    list_display = ("number", "published_at", "effective_on", "method", "published_by")
    list_select_related = ("published_by",)
    readonly_fields = (
        "number",
        "published_at",
        "effective_on",
        "method",
        "published_by",
        "digest",
        "public_page",
    )
    # The snapshot and the page as kept are read where the public reads them, on the public page
    # linked here (/privacy/history/<n>/), not as JSON and HTML source.
    exclude = ("snapshot", "page")
    change_list_template = "admin/purposes/noticerevision/change_list.html"

    @admin.display(description=gettext_lazy("公開ページ"))
    def public_page(self, obj):
        url = reverse("purposes:revision", args=[obj.number])
        return format_html('<a href="{}">{}</a>', url, url)

    def get_urls(self):
        publish = path(
            "publish/",
            self.admin_site.admin_view(self.publish_view),
            name="purposes_noticerevision_publish",
        )
        return [publish, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        latest, changed = draft_status()
        context = {
            "latest": latest,
            "changed": changed,
            "can_publish": request.user.has_perm("purposes.publish_noticerevision"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def publish_view(self, request):
        if not request.user.has_perm("purposes.publish_noticerevision"):
            raise PermissionDenied
        latest, changed = draft_status()
        form = PublishForm(request.POST or None, added=services.added_purposes(latest))
        if request.method == "POST" and form.is_valid():
            try:
                revision = services.publish(
                    method=form.cleaned_data["method"],
                    by=request.user,
                    effective=form.cleaned_data["effective"],
                    added_related=form.cleaned_data.get("added_related"),
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for message in error.message_dict.get("effective_on", []):
                        form.add_error("effective", message)
                    for message in error.message_dict.get("added_related", []):
                        form.add_error(None, message)  # the draft changed meanwhile
                else:
                    form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("第%(number)d版を公表しました（適用日 %(date)s）。")
                    % {"number": revision.number, "date": revision.effective_on},
                    messages.SUCCESS,
                )
                return redirect("admin:purposes_noticerevision_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("公表事項を公表する"),
            "form": form,
            "latest": latest,
            "changed": changed,
        }
        return TemplateResponse(request, "admin/purposes/noticerevision/publish.html", context)


# The registers of processors, joint use and the society's own fields have their own module.
from . import admin_outsourcing  # noqa: E402, F401
