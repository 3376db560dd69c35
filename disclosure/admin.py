"""The staff side of requests: the worklist (overdue first), paper entry, documents, and
the moves of the workflow (`core.admin.WorkflowAdminMixin`, pages in `disclosure.moves`).

Operations are `disclosure.services` and `core.workflow.transition`; the admin only calls
them. A request's own page is read-only: every change is a move or a step, with its audit
event.
"""

import datetime

from django.contrib import admin, messages
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import WorkflowAdminMixin
from safeguards import deadlines

from . import services
from .forms import StaffRequestForm
from .models import IdentityDocument, KindPolicy, Request
from .moves import PAGES, STEPS
from .workflow import REQUESTS


@admin.register(KindPolicy)
class KindPolicyAdmin(admin.ModelAdmin):
    list_display = ("kind", "deadline_days", "fee_yen")


class DocumentInline(admin.TabularInline):
    model = IdentityDocument
    fields = ("role", "content_type", "size", "sha256", "uploaded_at", "open_link")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=gettext_lazy("ファイル"))
    def open_link(self, document):
        url = reverse("admin:disclosure_request_document", args=[document.pk])
        return admin.utils.format_html('<a href="{}">{}</a>', url, _("開く"))


@admin.register(Request)
class RequestAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    workflow = REQUESTS
    move_pages = PAGES
    steps = STEPS
    list_display = ("receipt_number", "state", "channel", "kinds", "effective_due", "overdue")
    list_filter = ("state", "channel")
    search_fields = ("receipt_number",)
    inlines = (DocumentInline,)
    change_form_template = "admin/disclosure/request/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Request._meta.fields if field.name != "id"] + ["categories"]

    def get_queryset(self, request):
        today = deadlines.today()
        # Overdue requests at the top of the worklist, then by deadline.
        return (
            super()
            .get_queryset(request)
            .annotate(
                due=Coalesce("extended_due_on", "due_on"),
                late=Case(
                    When(
                        Q(state__in=Request.ANSWER_PENDING_STATES) & Q(due__lt=today),
                        then=Value(True),
                    ),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            )
            .order_by("-late", "due", "id")
        )

    @admin.display(description=gettext_lazy("回答期限"), ordering="due")
    def effective_due(self, obj):
        return obj.effective_due_on

    @admin.display(description=gettext_lazy("期限超過"), boolean=True, ordering="late")
    def overdue(self, obj):
        return obj.is_overdue(today=deadlines.today())

    def get_urls(self):
        return [
            path(
                "documents/<int:pk>/",
                self.admin_site.admin_view(self.document_view),
                name="disclosure_request_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, pk):
        """An identity document, to staff allowed to view requests; never a public URL."""
        if not self.has_view_permission(request):
            raise Http404
        document = get_object_or_404(IdentityDocument, pk=pk)
        return FileResponse(document.file.open("rb"), content_type=document.content_type)

    def add_view(self, request, form_url="", extra_context=None):
        """A request on paper, at the counter or by phone: the public form's validation."""
        if not self.has_add_permission(request):
            raise Http404
        form = StaffRequestForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            valid = form.is_valid()
            form.keep_uploads()  # valid page or not: a scanned document is never asked for twice
            if valid:
                return self._file(request, form)
        return TemplateResponse(
            request,
            "admin/disclosure/request/add.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "opts": self.model._meta,
                "title": _("開示等の請求を受け付ける"),
            },
        )

    def _file(self, request, form):
        filed, _token = services.request_file(
            **form.filing(),
            channel=form.cleaned_data["channel"],
            by=request.user,
            base_url=request.build_absolute_uri("/"),
            received_at=timezone.make_aware(
                datetime.datetime.combine(form.cleaned_data["received_on"], datetime.time())
            ),
        )
        self.message_user(
            request,
            _("受付番号 %(receipt)s で受け付けました。") % {"receipt": filed.receipt_number},
            messages.SUCCESS,
        )
        return redirect("admin:disclosure_request_change", filed.pk)
