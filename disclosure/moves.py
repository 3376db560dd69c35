"""The staff's moves on a request, as the admin offers them: a label, the form that asks
for what the move needs, and the operation it calls.

Each `perform` is one call of `disclosure.services` or `disclosure.workflow.transition`;
who may, and whether the state allows it, is theirs to answer (a refusal is an exception
with a Japanese message, which the admin shows). Forms that list the member's records
read them through the gate (`services.gather`), on the statutory path.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services, workflow
from .fields import JapaneseDateField
from .models import DecisionItem, Kind, Request

State = Request.State


class MoveForm(forms.Form):
    """A move's form: given the request and the user, for the choices that depend on them."""

    def __init__(self, data=None, *, request: Request, user):
        super().__init__(data)


class NoteForm(MoveForm):
    note = forms.CharField(label=_("請求者への連絡事項"), widget=forms.Textarea(attrs={"rows": 4}))


class OptionalNoteForm(NoteForm):
    note = forms.CharField(
        label=_("連絡事項（任意）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MatchForm(MoveForm):
    member = forms.TypedChoiceField(label=_("照合した加入者"), coerce=int)

    def __init__(self, data=None, *, request: Request, user):
        super().__init__(data, request=request, user=user)
        self.candidates = {m.pk: m for m in services.identity_candidates(request=request, by=user)}
        self.fields["member"].choices = [
            (pk, f"{member} {member.name}") for pk, member in self.candidates.items()
        ]
        if not self.candidates:
            self.fields["member"].help_text = _(
                "記号・番号・枝番と生年月日が一致する加入者がいません。追加書類を依頼してください。"
            )


class ExtendForm(MoveForm):
    days = forms.IntegerField(label=_("延長する日数"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("延長の理由"), widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(MoveForm):
    paid_on = JapaneseDateField(label=_("納付日"))


class ConsultationForm(MoveForm):
    """The question to the medical institution about one receipt, and its answer."""

    record_id = forms.TypedChoiceField(label=_("レセプト"), coerce=int)
    institution = forms.CharField(label=_("医療機関"), max_length=200)
    asked_on = JapaneseDateField(label=_("照会日"))
    answered_on = JapaneseDateField(label=_("回答日"), required=False)
    hinders_care = forms.NullBooleanField(
        label=_("診療上の支障"),
        widget=forms.Select(
            choices=[("unknown", _("回答待ち")), ("true", _("支障あり")), ("false", _("支障なし"))]
        ),
    )
    note = forms.CharField(
        label=_("回答の内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, data=None, *, request: Request, user):
        super().__init__(data, request=request, user=user)
        receipts = [
            record
            for record in services.gather(request=request, by=user)
            if record.category.code == services.RECEIPTS
        ]
        self.fields["record_id"].choices = [
            (record.pk, f"{record.date} {record.title}") for record in receipts
        ]


class DecisionItemForm(forms.ModelForm):
    class Meta:
        model = DecisionItem
        fields = (
            "kind",
            "granted",
            "category",
            "record_id",
            "field",
            "new_value",
            "ground",
            "reason",
        )
        widgets = {"reason": forms.Textarea(attrs={"rows": 2}), "new_value": forms.TextInput}


class DecideForm(MoveForm):
    """The decision: one row per item (APPI Art. 33(2) grounds and Art. 36 reasons)."""

    reasons = forms.CharField(
        label=_("理由（決定全体）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, data=None, *, request: Request, user):
        super().__init__(data, request=request, user=user)
        self.items = forms.formset_factory(DecisionItemForm, extra=len(request.kinds) + 2)(
            data,
            prefix="items",
            initial=[{"kind": kind, "granted": True} for kind in request.kinds],
        )
        for form in self.items:
            form.fields["kind"].choices = [(kind, Kind(kind).label) for kind in request.kinds]
            form.fields["granted"].required = False

    def is_valid(self):
        return super().is_valid() & self.items.is_valid()

    def decided_items(self) -> list[dict]:
        return [form.cleaned_data for form in self.items if form.has_changed() or form.initial]


@dataclass(frozen=True)
class Move:
    label: str
    perform: Callable  # (request, form or None, user) -> what the operation returns
    form: type[MoveForm] | None = None
    to: str | None = None  # the state it moves to, when it is a transition
    available: Callable[[Request], bool] | None = None

    def is_available(self, request: Request) -> bool:
        if self.to is not None:
            return self.to in workflow.TRANSITIONS[request.state]
        return self.available(request)


def _to(state: str, *, note: bool = False):
    def perform(request, form, user):
        effects = {"state_note": form.cleaned_data["note"]} if note else {}
        return workflow.transition(request, state, by=user, **effects)

    return perform


MOVES: dict[str, Move] = {
    # From 受付, or back from 書類の追加待ち when the documents have come.
    "identity_check": Move(
        _("本人確認を始める（書類が届いたときも）"),
        _to(State.IDENTITY_CHECK),
        to=State.IDENTITY_CHECK,
    ),
    "match": Move(
        _("本人確認：加入者と照合して審査に進む"),
        lambda request, form, user: services.request_match(
            request=request, member=form.candidates[form.cleaned_data["member"]], by=user
        ),
        form=MatchForm,
        to=State.REVIEW,
    ),
    "ask_documents": Move(
        _("追加書類を依頼する"),
        _to(State.AWAITING_DOCUMENTS, note=True),
        form=NoteForm,
        to=State.AWAITING_DOCUMENTS,
    ),
    "consult": Move(
        _("医療機関への照会を記録する"),
        lambda request, form, user: services.consultation_record(
            request=request, by=user, **form.cleaned_data
        ),
        form=ConsultationForm,
        available=lambda request: request.state == State.REVIEW,
    ),
    "decide": Move(
        _("決定する"),
        lambda request, form, user: services.request_decide(
            request=request,
            items=form.decided_items(),
            reasons=form.cleaned_data["reasons"],
            by=user,
        ),
        form=DecideForm,
        to=State.DECIDED,
    ),
    "extend": Move(
        _("回答期限を延長する"),
        lambda request, form, user: services.request_extend(
            request=request, by=user, **form.cleaned_data
        ),
        form=ExtendForm,
        available=lambda request: request.state in Request.ANSWER_PENDING_STATES,
    ),
    "pay": Move(
        _("手数料の納付を記録する"),
        lambda request, form, user: services.fee_record_payment(
            request=request, by=user, **form.cleaned_data
        ),
        form=PaymentForm,
        available=lambda request: bool(request.fee_yen) and request.fee_paid_on is None,
    ),
    "carry_out": Move(
        _("決定を実施する"),
        lambda request, form, user: services.request_carry_out(request=request, by=user),
        to=State.CARRIED_OUT,
    ),
    "close": Move(
        _("完了にする"),
        lambda request, form, user: services.request_close(request=request, by=user),
        to=State.CLOSED,
    ),
    "reject": Move(
        _("本人確認ができないため却下する"),
        _to(State.REJECTED, note=True),
        form=NoteForm,
        to=State.REJECTED,
    ),
    "withdraw": Move(
        _("取下げを記録する"),
        _to(State.WITHDRAWN, note=True),
        form=OptionalNoteForm,
        to=State.WITHDRAWN,
    ),
}
