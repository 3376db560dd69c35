"""The audit trail page, and the one POST of the reports: verifying the chain now.

Verifying only reads the trail; the one row it writes is its own result, appended to the
trail as `reports.trail_verified`, which the page then shows.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.trail import actor_for, append
from audit.vocabulary import Action
from reports.selectors.trail import anomaly, trail, verify

from .base import ReportsOnly, ReportView

# A checkpoint or a public key is a few hundred bytes.
LARGEST_UPLOAD = 16 * 1024


def _text(upload) -> str:
    if upload is None:
        return ""
    if upload.size > LARGEST_UPLOAD:
        raise ValidationError(_("ファイルが大きすぎます。"))
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(_("テキストファイル（UTF-8）を指定してください。")) from None


class VerifyForm(forms.Form):
    checkpoint = forms.FileField(
        label=gettext_lazy("署名付きチェックポイント（任意）"),
        required=False,
        help_text=gettext_lazy("manage.py audit_checkpoint が出力したファイル"),
    )
    public_key = forms.FileField(
        label=gettext_lazy("公開鍵（任意）"),
        required=False,
        help_text=gettext_lazy("監事が保管する署名鍵の公開鍵（PEM）"),
    )

    def clean_checkpoint(self) -> str:
        return _text(self.cleaned_data["checkpoint"])

    def clean_public_key(self) -> str:
        return _text(self.cleaned_data["public_key"])


class TrailView(ReportView):
    name = "trail"
    template_name = "reports/trail.html"

    def build(self, period):
        return trail(period)

    def context(self, form, report):
        return super().context(form, report) | {"verify_form": VerifyForm(), "anomaly": anomaly()}


class VerifyView(ReportsOnly):
    http_method_names = ["post"]

    def post(self, request):
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify(**form.cleaned_data)
            append(
                action=Action.REPORTS_TRAIL_VERIFIED, actor=actor_for(request.user), details=result
            )
            if not (result["problem"] or result.get("checkpoint_problem")):
                messages.success(request, _("監査証跡を検証しました。異常はありません。"))
            # An anomaly is the first thing the trail page says (its alert), never a success.
        else:
            errors = [e for field in form.errors.values() for e in field]
            messages.error(request, " ".join(errors))
        return redirect(f"{reverse('reports:trail')}?{request.GET.urlencode()}")
