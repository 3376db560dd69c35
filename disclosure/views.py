"""The public pages: the procedure, the form (a first step that chooses, then the fields the
choice needs) with its confirmation, and the status page.

No account: a filer proves who they are with documents (checked by staff), and later
opens the status page with the link (holding the secret token) given at filing; a
download asks for the birth date again. The form, confirmation, receipt and status pages
are the shared desk's (`core.filing.Desk`). Views hold no domain logic; they call
`disclosure.services`.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit import trail
from audit.vocabulary import Action
from core import deadlines
from core.fields import date_format_message
from core.filing import Desk
from core.normalize import read_date
from core.ratelimit import client_address
from core.wareki import format_wareki

from . import letters, package, services
from .forms import RequestChoiceForm, RequestForm
from .models import Kind, KindPolicy, Letter, Request


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


def _file(request, form: RequestForm, submission_key: str):
    return services.request_file(
        **form.filing(),
        channel=Request.Channel.WEB,
        by=trail.PUBLIC,
        base_url=request.build_absolute_uri("/"),
        submission_key=submission_key,
    )


def _status_context(filed: Request) -> dict:
    return {
        "letters": filed.letters.all(),
        "overdue": filed.is_overdue(today=deadlines.today()),
        "package": _available_package(filed),
    }


DESK = Desk(
    namespace="disclosure",
    model=Request,
    form_class=RequestForm,
    choice_form_class=RequestChoiceForm,
    file=_file,
    status_title=gettext_lazy("請求の状況の照会"),
    status_context=_status_context,
    done_context=lambda filed: {"due_on": format_wareki(filed.due_on)},
    # Before anything else: a checked upload is kept, valid page or not, within the quota.
    received=lambda request, form: form.keep_uploads(client=client_address(request)),
)


def _available_package(filed: Request):
    if filed.delivery == Request.Delivery.RESTRICTED_POST:
        return None  # sent by post, to the member alone: never downloaded as well
    return filed.packages.filter(expires_at__gt=timezone.now()).first()


def _birth_date_refused(request, filed: Request):
    """The page to answer with when the birth date typed is not the request's (or not a date,
    or the client's tries are used up); None when it is. What a download or a letter asks
    before it hands over anything that names the requester."""
    tried = DESK.limit.take(client_address(request))
    if tried is None:
        return DESK.locked(request)
    typed = read_date(request.POST.get("birth_date", ""))
    if typed is None:
        # Not a date at all: say it is the form, not that it differs (the limit still counts).
        return DESK.status_page(
            request, filed, birth_date_error=date_format_message(gettext_lazy("生年月日"))
        )
    if typed != filed.birth_date:
        return DESK.status_page(
            request,
            filed,
            birth_date_error=gettext_lazy(
                "生年月日が一致しません。請求のときに入力した生年月日を入力してください。"
            ),
        )
    DESK.limit.give_back(tried)
    return None


@require_POST
def download(request, receipt):
    """The package, to the opened status page, once the birth date is entered again."""
    filed = DESK.opened(request, receipt)
    ready = filed and _available_package(filed)
    if not ready:
        raise Http404
    if refused := _birth_date_refused(request, filed):
        return refused
    package.download(package=ready)
    return FileResponse(ready.file.open("rb"), as_attachment=True, filename=f"{receipt}.zip")


@require_POST
def letter(request, receipt, key):
    """A letter's PDF, which names the requester: to the opened status page, once the birth
    date is entered again, as the package is."""
    filed = DESK.opened(request, receipt)
    if filed is None:
        raise Http404
    try:
        # A letter's PDF is gone after a 消去 (disclosure.erasure): only its digest stays.
        sent = filed.letters.exclude(file="").get(key=key)
    except Letter.DoesNotExist:
        raise Http404 from None
    if refused := _birth_date_refused(request, filed):
        return refused
    trail.append(
        action=Action.DISCLOSURE_LETTER_READ,
        # The requester, on the public page (no account): a signed-in user was a 500 here.
        actor=trail.PUBLIC,
        target=sent,
        details={"request": filed.pk, "kind": sent.kind},
    )
    return FileResponse(sent.file.open("rb"), content_type="application/pdf")
