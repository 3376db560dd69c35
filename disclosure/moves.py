"""The pages of the staff's moves on a request that are more than the bare transition, and
the steps beside them, for `core.admin.WorkflowAdminMixin`: the form that asks for what
each needs, and the operation it calls.

Each `perform` is one call of `disclosure.services`; who may, and whether the state allows
it, is theirs and the workflow's to answer (a refusal is an exception with a Japanese
message, which the admin shows). Forms that list the member's records read them through
the gate (`services.gather`), on the statutory path.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.admin import MoveForm, Page, Step

from . import services
from .fields import JapaneseDateField
from .models import DecisionItem, Kind, Request

State = Request.State


class MatchForm(MoveForm):
    member = forms.TypedChoiceField(label=_("照合した加入者"), coerce=int)

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        self.candidates = {m.pk: m for m in services.identity_candidates(request=obj, by=user)}
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

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        receipts = [
            record
            for record in services.gather(request=obj, by=user)
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

    def __init__(self, data=None, *, obj: Request, user):
        super().__init__(data, obj=obj, user=user)
        self.items = forms.formset_factory(DecisionItemForm, extra=len(obj.kinds) + 2)(
            data,
            prefix="items",
            initial=[{"kind": kind, "granted": True} for kind in obj.kinds],
        )
        for form in self.items:
            form.fields["kind"].choices = [(kind, Kind(kind).label) for kind in obj.kinds]
            form.fields["granted"].required = False

    def is_valid(self):
        return super().is_valid() & self.items.is_valid()

    def decided_items(self) -> list[dict]:
        return [form.cleaned_data for form in self.items if form.has_changed() or form.initial]


# The moves that are more than the bare transition: each calls its operation.
PAGES: dict[str, Page] = {
    State.REVIEW: Page(
        lambda request, form, user: services.request_match(
            request=request, member=form.candidates[form.cleaned_data["member"]], by=user
        ),
        form=MatchForm,
    ),
    State.DECIDED: Page(
        lambda request, form, user: services.request_decide(
            request=request,
            items=form.decided_items(),
            reasons=form.cleaned_data["reasons"],
            by=user,
        ),
        form=DecideForm,
        template="admin/disclosure/request/decide.html",
    ),
    State.CARRIED_OUT: Page(
        lambda request, form, user: services.request_carry_out(request=request, by=user)
    ),
    State.CLOSED: Page(
        lambda request, form, user: services.request_close(request=request, by=user)
    ),
}

# What staff record on a request beside its moves.
STEPS: dict[str, Step] = {
    "consult": Step(
        _("医療機関への照会を記録する"),
        lambda request, form, user: services.consultation_record(
            request=request, by=user, **form.cleaned_data
        ),
        form=ConsultationForm,
        available=lambda request: request.state == State.REVIEW,
    ),
    "extend": Step(
        _("回答期限を延長する"),
        lambda request, form, user: services.request_extend(
            request=request, by=user, **form.cleaned_data
        ),
        form=ExtendForm,
        available=lambda request: request.state in Request.ANSWER_PENDING_STATES,
    ),
    "pay": Step(
        _("手数料の納付を記録する"),
        lambda request, form, user: services.fee_record_payment(
            request=request, by=user, **form.cleaned_data
        ),
        form=PaymentForm,
        available=lambda request: bool(request.fee_yen) and request.fee_paid_on is None,
    ),
}
