"""The public pages of the complaints desk: the form, its confirmation, the receipt, the
status page. No account is needed; nothing here shows personal data of anyone but what the
complainant typed on this very visit, and the status page shows states and dates only.
"""

import re
import uuid

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.ratelimit import client_address

from . import services
from . import status as status_lookup
from .forms import ComplaintForm, StatusForm
from .models import Complaint

_RECEIPT_SESSION_KEY = "complaints_receipt"
_SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def _submission_key(value: str) -> str | None:
    return value if _SUBMISSION_KEY.match(value) else None


@require_http_methods(["GET", "POST"])
def new(request):
    """Step 1 (the form) and step 2 (the confirmation): the same fields, validated twice."""
    if request.method == "GET":
        return render(request, "complaints/new.html", {"form": ComplaintForm()})
    form = ComplaintForm(request.POST)
    if not form.is_valid() or "back" in request.POST:
        return render(request, "complaints/new.html", {"form": form})
    if "submit" not in request.POST:
        context = {"form": form, "submission_key": uuid.uuid4().hex}
        return render(request, "complaints/confirm.html", context)
    complaint, token = services.complaint_file(
        complaint=form.save(commit=False),
        channel=Complaint.Channel.WEB,
        received_at=timezone.now(),
        status_url=request.build_absolute_uri(reverse("complaints:status")),
        submission_key=_submission_key(request.POST.get("submission_key", "")),
    )
    if token is None:
        # The confirmation was sent twice: the first press filed it and showed the token.
        return redirect("complaints:status")
    # The token is shown once, on the next page; it is stored only as a hash.
    request.session[_RECEIPT_SESSION_KEY] = {
        "receipt_number": complaint.receipt_number,
        "token": token,
        "has_email": bool(complaint.email),
    }
    return redirect("complaints:received")


def received(request):
    receipt = request.session.pop(_RECEIPT_SESSION_KEY, None)
    if receipt is None:
        return redirect("complaints:status")
    return render(request, "complaints/received.html", receipt)


@require_http_methods(["GET", "POST"])
def status(request):
    """Look a complaint up by its receipt number and token; states and dates only."""
    if request.method == "GET":
        return render(request, "complaints/status.html", {"form": StatusForm()})
    form = StatusForm(request.POST)
    complaint = None
    if form.is_valid():
        try:
            complaint = status_lookup.find(client=client_address(request), **form.cleaned_data)
        except status_lookup.TooManyAttempts:
            form.add_error(
                None,
                _("確認の回数が多すぎます。しばらく時間をおいてから、もう一度お試しください。"),
            )
            return render(request, "complaints/status.html", {"form": form}, status=429)
        if complaint is None:
            form.add_error(
                None,
                _(
                    "受付番号と照会用の番号の組み合わせが見つかりません。入力した内容を確認してください。"
                ),
            )
    return render(request, "complaints/status.html", {"form": form, "complaint": complaint})
