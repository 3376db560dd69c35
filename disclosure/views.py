"""The public pages: the procedure, the form with its confirmation, and the status page.

No account: a filer proves who they are with documents (checked by staff), and later
opens the status page with the secret token mailed at filing. Views hold no domain logic;
they call `disclosure.services`.
"""

import uuid
from urllib.parse import parse_qs, urlsplit

from django.core import signing
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import trail
from core import deadlines, receipts
from core.normalize import normalize_text, parse_date
from core.ratelimit import Limit, client_address
from core.wareki import parse_japanese_date

from . import letters, package, services
from .forms import RequestForm
from .models import Kind, KindPolicy, Letter, Request

DRAFT_SALT = "disclosure.draft"
DRAFT_MAX_AGE = 2 * 60 * 60
FILED_SESSION_KEY = "disclosure_filed"
OPENED_SESSION_KEY = "disclosure_opened"
# Tries per client address in a window, at a token or at the birth date before a download:
# enough for typos, too few to guess.
STATUS_LIMIT = Limit("disclosure.status")


@require_GET
def procedure(request):
    policies = [(kind, KindPolicy.for_kind(kind)) for kind in Kind]
    return render(
        request,
        "disclosure/procedure.html",
        {"policies": policies, "society": letters.society()},
    )


@require_GET
def blank_form(request, name):
    pdf = {"request": letters.blank_request_form, "proxy": letters.blank_proxy_form}[name]()
    return HttpResponse(pdf, content_type="application/pdf")


def _draft_data(form: RequestForm) -> dict:
    return {key: form.data.getlist(key) for key in form.data if key != "csrfmiddlewaretoken"}


@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "GET":
        return render(request, "disclosure/new.html", {"form": RequestForm()})
    form = RequestForm(request.POST, request.FILES)
    valid = form.is_valid()
    # Before anything else: a checked upload is kept, valid page or not.
    form.keep_uploads()
    if not valid:
        return render(request, "disclosure/new.html", {"form": form})
    draft = signing.dumps({"data": _draft_data(form), "key": uuid.uuid4().hex}, salt=DRAFT_SALT)
    return render(request, "disclosure/confirm.html", {"form": form, "draft": draft})


@require_POST
def confirm(request):
    try:
        draft = signing.loads(request.POST.get("draft", ""), salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:
        form = RequestForm()
        return render(
            request,
            "disclosure/new.html",
            {"form": form, "expired": True},
        )
    form = RequestForm(MultiValueDict(draft["data"]))
    if "edit" in request.POST or not form.is_valid():
        return render(request, "disclosure/new.html", {"form": form})
    filed, token = services.request_file(
        **form.filing(),
        channel=Request.Channel.WEB,
        by=None,
        base_url=request.build_absolute_uri("/"),
        submission_key=draft["key"],
    )
    if token:
        request.session[FILED_SESSION_KEY] = {"receipt": filed.receipt_number, "token": token}
    return redirect("disclosure:done")


@require_GET
def done(request):
    filed = request.session.get(FILED_SESSION_KEY)
    if not filed:
        return redirect("disclosure:new")
    path = reverse("disclosure:status", kwargs={"receipt": filed["receipt"]})
    return render(
        request,
        "disclosure/done.html",
        {
            "receipt": filed["receipt"],
            "status_url": request.build_absolute_uri(f"{path}?t={filed['token']}"),
        },
    )


def _take_try(request) -> str | None:
    return STATUS_LIMIT.take(client_address(request))


def _token_from(text: str) -> str:
    """The token itself, or the one inside a pasted status address."""
    text = text.strip()
    if "?" in text:
        return parse_qs(urlsplit(text).query).get("t", [""])[0]
    return text


def _opened(request, receipt: str) -> Request | None:
    if receipt in request.session.get(OPENED_SESSION_KEY, []):
        return Request.objects.filter(receipt_number=receipt).first()
    return None


@require_http_methods(["GET", "POST"])
def status(request, receipt):
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("t")
    if token is not None:
        tried = _take_try(request)
        if tried is None:
            return render(request, "disclosure/status_locked.html", status=429)
        found = (
            Request.objects.filter(receipt_number=receipt).first()
            if receipts.is_receipt_number(receipt)
            else None
        )
        if receipts.token_matches(found, _token_from(token)):
            # The requester opening their own page is no guess.
            STATUS_LIMIT.give_back(tried)
            request.session[OPENED_SESSION_KEY] = [
                *request.session.get(OPENED_SESSION_KEY, []),
                receipt,
            ]
            # Redirect to the address without the token, out of the history and referrers.
            return redirect("disclosure:status", receipt=receipt)
        # The same answer for a wrong token and an unknown receipt number.
        return render(request, "disclosure/status_token.html", {"receipt": receipt, "wrong": True})
    filed = _opened(request, receipt)
    if filed is None:
        return render(request, "disclosure/status_token.html", {"receipt": receipt})
    return render(
        request,
        "disclosure/status.html",
        {
            "filed": filed,
            "letters": filed.letters.all(),
            "overdue": filed.is_overdue(today=deadlines.today()),
            "package": _available_package(filed),
        },
    )


def _available_package(filed: Request):
    return filed.packages.filter(expires_at__gt=timezone.now()).first()


@require_POST
def download(request, receipt):
    """The package, to the opened status page, once the birth date is entered again."""
    filed = _opened(request, receipt)
    ready = filed and _available_package(filed)
    if not ready:
        raise Http404
    tried = _take_try(request)
    if tried is None:
        return render(request, "disclosure/status_locked.html", status=429)
    typed = normalize_text(request.POST.get("birth_date", ""))
    if (parse_date(typed) or _japanese_or_none(typed)) != filed.birth_date:
        return render(
            request,
            "disclosure/status.html",
            {
                "filed": filed,
                "letters": filed.letters.all(),
                "package": ready,
                "wrong_birth_date": True,
            },
        )
    STATUS_LIMIT.give_back(tried)
    package.download(package=ready)
    return FileResponse(ready.file.open("rb"), as_attachment=True, filename=f"{receipt}.zip")


def _japanese_or_none(text: str):
    try:
        return parse_japanese_date(text)
    except ValueError:
        return None


@require_GET
def letter(request, receipt, pk):
    filed = _opened(request, receipt)
    if filed is None:
        raise Http404
    try:
        # A letter's PDF is gone after a 消去 (disclosure.erasure): only its digest stays.
        sent = filed.letters.exclude(file="").get(pk=pk)
    except Letter.DoesNotExist:
        raise Http404 from None
    trail.append(
        action="disclosure.letter_read",
        actor=trail.actor_for(request.user),
        target=sent,
        details={"request": filed.pk, "kind": sent.kind},
    )
    return FileResponse(sent.file.open("rb"), content_type="application/pdf")
