"""The staff side of requests: the worklist (overdue first), paper entry, documents, and
the moves of the workflow (`core.admin.WorkflowAdminMixin`, pages in `disclosure.moves`), and
each kind's deadline and fee (saved through `core.audited`).

Operations are `disclosure.services` and `core.workflow.transition`; the admin only calls
them. A request's own page is read-only: every change is a move or a step, with its audit
event.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.admin import WorkflowAdminMixin
from core.audited import AuditedAdmin
from core.wareki import format_wareki
from records import gate
from records.gated_admin import DeskAdminMixin

from . import services
from .access import DESK
from .forms import StaffRequestForm
from .models import (
    DecisionItem,
    IdentityDocument,
    KindPolicy,
    Letter,
    ReceiptConsultation,
    Request,
)
from .moves import PAGES, STEPS
from .workflow import REQUESTS


@admin.register(KindPolicy)
class KindPolicyAdmin(AuditedAdmin):
    """Each kind's answer period and fee: the officer's to set, each edit with its event."""

    list_display = ("kind", "deadline_days", "fee_yen")


class DocumentInline(admin.TabularInline):
    model = IdentityDocument
    fields = ("role", "content_type", "size", "uploaded_at", "open_link")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=gettext_lazy("ファイル"))
    def open_link(self, document):
        url = reverse("admin:disclosure_request_document", args=[document.key])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("書類を見る"))


class DecisionItemInline(admin.TabularInline):
    model = DecisionItem
    fields = (
        "kind",
        "decided",
        "case",
        "category",
        "purpose",
        "field",
        "provision_id",
        "ground",
        "retention_law",
        "reason",
        "alternative_measure",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "purpose")

    @admin.display(description=gettext_lazy("決定"))
    def decided(self, item):
        return _("認める") if item.granted else _("認めない")


class ConsultationInline(admin.TabularInline):
    model = ReceiptConsultation
    fields = ("record_id", "institution", "asked_on", "answered_on", "answer")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("診療上の支障"))
    def answer(self, consultation):
        if consultation.hinders_care is None:
            return _("回答待ち")
        return _("支障あり") if consultation.hinders_care else _("支障なし")


# The request page as a case file: what was asked, by whom, and where it stands; the token's
# hash, the submission key and the erasure digest are machinery, not the case.
CASE_FILE = (
    (
        gettext_lazy("受付"),
        ("receipt_number", "state", "channel", "received_at", "created_by", "due_dates"),
    ),
    (
        gettext_lazy("請求の内容"),
        (
            "kind_names",
            "categories",
            ("period_from", "period_until"),
            "method",
            "provision_records",
            "corrections_asked",
            "grounds",
        ),
    ),
    (
        gettext_lazy("請求者"),
        (
            "filer",
            ("name", "name_kana"),
            ("member_symbol", "member_number", "member_branch"),
            "birth_date",
            ("postal_code", "address"),
            ("phone", "email"),
        ),
    ),
    (
        gettext_lazy("代理人"),
        ("agent_name", "agent_name_kana", "agent_relationship", "agent_address", "agent_phone"),
    ),
    (
        gettext_lazy("遺族（死亡した加入者の診療報酬明細書等の開示依頼）"),
        (
            "bereaved_relationship",
            ("bereaved_name", "bereaved_name_kana"),
            "institution_consent",
        ),
    ),
    (
        gettext_lazy("審査と決定"),
        (
            "member",
            "identity_check",
            "state_note",
            "fee",
            "outcome",
            "reasons",
            "decided_at",
            "delivered",
            "letters_link",
        ),
    ),
)


@admin.register(Request)
class RequestAdmin(DeskAdminMixin, WorkflowAdminMixin, admin.ModelAdmin):
    desk = DESK
    workflow = REQUESTS
    move_pages = PAGES
    steps = STEPS
    list_display = (
        "receipt_number",
        "state",
        "channel",
        "kind_names",
        "effective_due",
        "overdue",
    )
    list_filter = ("state", "channel")
    search_fields = ("receipt_number",)
    inlines = (DocumentInline, ConsultationInline, DecisionItemInline)
    change_form_template = "admin/disclosure/request/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only: the admin's 「…を変更」 would promise an edit that the page does not offer.
        context = {"title": _("開示等の請求"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def get_fieldsets(self, request, obj=None):
        left_out = set()
        if obj is not None and obj.filer == Request.Filer.SELF:
            left_out.add(CASE_FILE[3][0])
        if obj is not None and not obj.is_bereaved:
            left_out.add(CASE_FILE[4][0])
        return [(name, {"fields": fields}) for name, fields in CASE_FILE if name not in left_out]

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.get_fieldsets(request, obj))

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

    @admin.display(description=gettext_lazy("請求の種類"))
    def kind_names(self, obj):
        return "・".join(obj.kind_labels())

    @admin.display(description=gettext_lazy("第三者提供記録の開示"))
    def provision_records(self, obj):
        return _("求める") if obj.include_provision_records else _("求めない")

    @admin.display(description=gettext_lazy("訂正等を求める内容"))
    def corrections_asked(self, obj):
        if not obj.corrections:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{}：{} → {}",
            ((row["item"], row.get("current") or "—", row["requested"]) for row in obj.corrections),
        )

    @admin.display(description=gettext_lazy("回答期限"))
    def due_dates(self, obj):
        if obj.extended_due_on:
            return _("%(due)s（%(extended)s まで延長：%(reason)s）") % {
                "due": format_wareki(obj.due_on),
                "extended": format_wareki(obj.extended_due_on),
                "reason": obj.extension_reason,
            }
        return format_wareki(obj.due_on)

    @admin.display(description=gettext_lazy("手数料"))
    def fee(self, obj):
        if not obj.fee_yen:
            return _("なし")
        if obj.fee_paid_on:
            return _("%(yen)s 円（%(paid)s 納付）") % {
                "yen": f"{obj.fee_yen:,}",
                "paid": format_wareki(obj.fee_paid_on),
            }
        return _("%(yen)s 円（未納）") % {"yen": f"{obj.fee_yen:,}"}

    @admin.display(description=gettext_lazy("照合"))
    def identity_check(self, obj):
        if obj.member_id is None:
            return "—"
        if not obj.name_differences:
            return _("氏名・フリガナは登録と一致")
        labels = {"name": _("氏名"), "name_kana": _("フリガナ")}
        return _("%(fields)sが登録と相違（本人確認書類で確認済み）") % {
            "fields": "・".join(str(labels.get(field, field)) for field in obj.name_differences)
        }

    @admin.display(description=gettext_lazy("開示データの交付"))
    def delivered(self, obj):
        if obj.delivery != Request.Delivery.RESTRICTED_POST:
            return obj.get_delivery_display() or "—"
        return _("%(how)s、%(day)s 発送%(tracking)s") % {
            "how": obj.get_delivery_display(),
            "day": format_wareki(obj.posted_on),
            "tracking": _("（追跡番号 %(n)s）") % {"n": obj.tracking_number}
            if obj.tracking_number
            else "",
        }

    @admin.display(description=gettext_lazy("通知書"))
    def letters_link(self, obj):
        url = reverse("admin:disclosure_request_letters", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a>', url, _("通知書の一覧（%(n)d 通）") % {"n": obj.letters.count()}
        )

    @admin.display(description=gettext_lazy("回答期限"), ordering="due")
    def effective_due(self, obj):
        return obj.effective_due_on

    @admin.display(description=gettext_lazy("期限超過"), ordering="late")
    def overdue(self, obj):
        # A mark only where the deadline has passed: a cross on every other row read as
        # "something is wrong" (issue 13).
        if obj.is_overdue(today=deadlines.today()):
            return format_html('<strong class="overdue">{}</strong>', _("期限超過"))
        return ""

    def get_urls(self):
        return [
            path(
                "documents/<uuid:key>/",
                self.admin_site.admin_view(self.document_view),
                name="disclosure_request_document",
            ),
            path(
                "<int:pk>/letters/",
                self.admin_site.admin_view(self.letters_view),
                name="disclosure_request_letters",
            ),
            path(
                "letters/<uuid:key>/",
                self.admin_site.admin_view(self.letter_view),
                name="disclosure_request_letter",
            ),
            *super().get_urls(),
        ]

    def _desk(self, request) -> gate.DeskAccess:
        """Only the staff of the requests desk read what a requester filed or was sent; a
        refusal is audited (`gate.OutOfDesk`)."""
        access = self.desk_access(request)
        if not self.has_view_permission(request):
            raise PermissionDenied
        return access

    def document_view(self, request, key):
        """An identity document of a filed request (never an upload still waiting for its
        filing), to the desk's staff; each view an `access.read` event."""
        documents = IdentityDocument.objects.filter(request__isnull=False)
        document = get_object_or_404(gate.filings(self._desk(request), documents), key=key)
        return FileResponse(document.file.open("rb"), content_type=document.content_type)

    def letter_view(self, request, key):
        """A letter's PDF as sent, to print for post; each view an `access.read` event."""
        letters = Letter.objects.exclude(file="")
        letter = get_object_or_404(gate.filings(self._desk(request), letters), key=key)
        return FileResponse(letter.file.open("rb"), content_type="application/pdf")

    def letters_view(self, request, pk):
        """The letters of one request, with the address to post them to."""
        access = self._desk(request)
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        return TemplateResponse(
            request,
            "admin/disclosure/request/letters.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": obj,
                "letters": gate.filings(access, obj.letters.all()),
                "title": _("%(receipt)s の通知書") % {"receipt": obj.receipt_number},
            },
        )

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
