"""The one admin way to move a workflow: buttons drawn from its table, one page per move.
(At the end: `ViewOnlyMixin`, for the screens that only show rows, and the outbox's
screen, `OutboxMailAdmin`.)

`WorkflowAdminMixin` puts on a row's page a button for each move the user may make from the
row's state (`Workflow.moves_for`), and for each `Step` (an operation that does not move the
state) that is available. A button is a POST carrying the state its page was drawn from; it
opens the move's page (the fields the move sets, or a confirmation), whose POST carries the
state on. So a page drawn before someone else moved the row is refused with the
`ChangedMeanwhile` message, never applied to a state its user did not see.

The page calls `core.workflow.transition`, or the domain's operation where a move is more
than the bare transition (`Page.perform`); refusals are shown as messages, in Japanese.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import outbox
from .models import OutboxMail
from .workflow import Refused, Workflow, transition

# The mixin goes on a ModelAdmin: the type checker reads it as one.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class MoveForm(forms.Form):
    """A move's form, given the row and the user for the choices that depend on them."""

    def __init__(self, data=None, *, obj, user):
        super().__init__(data)


FormT = TypeVar("FormT", bound=MoveForm)


@dataclass(frozen=True)
class Page(Generic[FormT]):
    """How the admin makes a move that is more than `transition` with the form's values: the
    form that asks for what it needs, and the operation (row, the form, user); a page with
    no form is given None."""

    perform: Callable[[Any, FormT, Any], Any]
    form: type[FormT] | None = None
    template: str = "admin/core/move.html"


@dataclass(frozen=True)
class Step(Generic[FormT]):
    """An operation on a row beside its moves (a deadline, a payment, a notice): offered while
    `available` says so, refused by the operation itself when the user may not."""

    label: str | Promise
    perform: Callable[[Any, FormT, Any], Any]
    form: type[FormT] | None = None
    available: Callable[[Any], bool] = lambda obj: True
    template: str = "admin/core/move.html"


def _fields_form(workflow: Workflow, move) -> type[MoveForm] | None:
    """The page of a bare move: the model's fields that the move sets, required if needed."""
    if not move.sets:
        return None
    fields = forms.fields_for_model(workflow.model, fields=sorted(move.sets))
    for name, field in fields.items():
        field.required = name in move.needs
    return type("FieldsForm", (MoveForm,), fields)


class WorkflowAdminMixin(_AdminBase):
    workflow: Workflow
    move_pages: dict[str, Page] = {}  # by the state a move goes to
    steps: dict[str, Step] = {}
    change_form_template = "admin/core/workflow_change_form.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/move/<str:name>/",
                self.admin_site.admin_view(self.move_view),
                name=f"{opts.app_label}_{opts.model_name}_move",
            ),
            *super().get_urls(),
        ]

    def workflow_buttons(self, request, obj) -> list[tuple[str, str]]:
        """(name, label) of what the user may do from the row's state, moves first."""
        if obj is None or not self.has_change_permission(request, obj):
            return []
        workflow = self.workflow
        moves = [
            (to, workflow.move_label(to, move))
            for to, move in workflow.moves_for(request.user, obj)
        ]
        steps = [
            (name, str(step.label)) for name, step in self.steps.items() if step.available(obj)
        ]
        return moves + steps

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        context = {**(extra_context or {}), "workflow_buttons": self.workflow_buttons(request, obj)}
        if obj is not None:
            state = self.workflow.state_of(obj)
            context |= {
                "workflow_state": state,
                "workflow_state_label": self.workflow.label_of(state),
            }
        return super().change_view(request, object_id, form_url, context)

    def _page(self, obj, name: str):
        """The label, form, operation and template of the step `name`, or of the move to the
        state `name` from `obj`'s state; None if there is no such step or state."""
        if step := self.steps.get(name):
            return step.label, step.form, step.perform, step.template
        workflow = self.workflow
        if name not in workflow.table:
            return None
        move = workflow.table[workflow.state_of(obj)].get(name)
        label = workflow.move_label(name, move) if move else workflow.label_of(name)
        if page := self.move_pages.get(name):
            return label, page.form, page.perform, page.template

        def perform(obj, form, user):
            return transition(obj, name, by=user, **(form.cleaned_data if form else {}))

        return label, move and _fields_form(workflow, move), perform, "admin/core/move.html"

    def move_view(self, request, object_id, name):
        """A move's page (its form, or a confirmation), then the operation.

        A refusal (moved meanwhile, off the table, not the user's, incomplete) is shown as
        a message, with the page kept as typed where it has a form; nothing is changed.
        """
        obj = self.get_object(request, object_id)
        found = obj and self._page(obj, name)
        if found is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        back = redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)
        if request.method != "POST":
            return back
        label, form_class, perform, template = found
        workflow = self.workflow
        drawn = request.POST.get("_state", "")
        confirmed = "_confirm" in request.POST
        form = None
        try:
            if drawn != workflow.state_of(obj):
                raise workflow.changed_meanwhile(obj)
            if name not in self.steps and (refusal := workflow.refusal(request.user, obj, name)):
                raise refusal
            form = form_class and form_class(
                request.POST if confirmed else None, obj=obj, user=request.user
            )
            if confirmed and (form is None or form.is_valid()):
                perform(obj, form, request.user)
                self.message_user(
                    request,
                    _("%(obj)s：「%(move)s」を行いました。") % {"obj": obj, "move": label},
                    messages.SUCCESS,
                )
                return back
        except (Refused, PermissionDenied, ValidationError) as refusal:
            self.message_user(request, _refusal_text(refusal), messages.ERROR)
            if form is None:
                return back
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "original": obj,
                "form": form,
                "state": drawn,
                "title": f"{obj}：{label}",
            },
        )


def _refusal_text(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal)


class ViewOnlyMixin:
    """An admin screen to read and not to edit: no add, change or delete here (the rows are
    written by the domain's operations)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The errors a mail server or the network commonly answers (the class names `last_error` keeps).
MAIL_ERRORS = {
    "ConnectionRefusedError": gettext_lazy("メールサーバーに接続できません（接続拒否）"),
    "TimeoutError": gettext_lazy("メールサーバーが応答しません（時間切れ）"),
    "SMTPServerDisconnected": gettext_lazy("メールサーバーとの接続が切れました"),
    "SMTPConnectError": gettext_lazy("メールサーバーに接続できません"),
    "SMTPAuthenticationError": gettext_lazy("メールサーバーの認証に失敗しました"),
    "SMTPRecipientsRefused": gettext_lazy("メールサーバーが宛先を受け付けません"),
    "SMTPSenderRefused": gettext_lazy("メールサーバーが差出人を受け付けません"),
    "SMTPDataError": gettext_lazy("メールサーバーが本文を受け付けません"),
}


@admin.register(OutboxMail)
class OutboxMailAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The outbox, for the privacy officer: which mail is waiting, sent or failed, and a
    resend for the failed ones (`core.outbox.resend`, audited). Neither the body nor the
    addresses are shown: the filing the mail is about is where to read whom it was for."""

    # The template's path is the code's name for the kind of mail: the subject says it in words.
    list_display = (
        "__str__",
        "subject",
        "state",
        "attempts",
        "error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("state",)
    fields = (
        "subject",
        "recipients",
        "state",
        "attempts",
        "error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ("resend",)

    @admin.display(description=gettext_lazy("最後のエラー"), ordering="last_error")
    def error(self, mail: OutboxMail) -> str:
        """The last error in words, where its class is a known one; else the class's name."""
        return str(MAIL_ERRORS.get(mail.last_error, mail.last_error))

    ordering = ("-created_at",)

    def has_resend_permission(self, request):
        return request.user.has_perm("core.resend_outboxmail")

    @admin.action(
        description=gettext_lazy("選択した送信できなかったメールを再送する"), permissions=["resend"]
    )
    def resend(self, request, queryset):
        resent = sum(outbox.resend(mail, by=request.user) for mail in queryset)
        skipped = queryset.count() - resent
        self.message_user(
            request,
            ngettext("%(count)d 通を再送に回しました。", "%(count)d 通を再送に回しました。", resent)
            % {"count": resent},
            messages.SUCCESS if resent else messages.WARNING,
        )
        if skipped:
            self.message_user(
                request,
                _(
                    "送信できなかったメールのうち、宛先が残っているものだけを再送できます"
                    "（%(count)d 通は対象外）。"
                )
                % {"count": skipped},
                messages.WARNING,
            )
