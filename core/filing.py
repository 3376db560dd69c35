"""The public filing: what a request (disclosure) and a complaint (complaints) share.

A person files at one of the society's two public desks without an account. Either way the
filing gets a receipt number to quote, a secret token that opens its status page (stored
only as a hash), a submission key that makes a second press of 送信 find the first filing,
the channel it came by, and, once the desk has matched it, a link to the member; after the
member's 消去 the link gives way to a keyed digest of what the filing said.

`Desk` is the public pages both desks draw from it, one way each: the form (after a first step
that chooses, for a desk that has one: the form then shows only the fields the choice needs,
with no script); a confirmation
page that carries what was typed as one signed value (no hidden field repeats a personal
value, and no JavaScript is needed); the receipt page that shows the receipt number and the
status link once; and the status page, opened by the link with its token (or the token or
link pasted) under a tries limit per client, after which the session remembers it.

Domain-neutral: the member is named by its label ("records.Member"), never imported; the
desks' own fields, forms, filing operations and status pages stay in their apps.
"""

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.core import signing
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import trail
from audit.vocabulary import Action

from . import receipts
from .normalize import normalize_code
from .ratelimit import Limit, client_address

# How long a confirmation page may wait for its 送信 before the filer types again.
DRAFT_MAX_AGE = 2 * 60 * 60


class PublicFiling(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("ウェブ")
        POST = "post", _("郵送")
        COUNTER = "counter", _("窓口")
        PHONE = "phone", _("電話")

    receipt_number = models.CharField(_("受付番号"), max_length=16, unique=True, editable=False)
    channel = models.CharField(_("受付方法"), max_length=8, choices=Channel.choices)
    received_at = models.DateTimeField(_("受付日時"))
    # SHA-256 of the status page's secret token (core.receipts): the token itself is shown
    # and mailed once, and never stored.
    token_hash = models.CharField(_("照会用トークンのハッシュ"), max_length=64, editable=False)
    # The confirmation page's key: a second press of 送信 finds the first filing.
    submission_key = models.CharField(
        _("送信キー"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    # PROTECT: only the filing's erasure lets go of the member, and it keeps the digest
    # below first; a link that vanished with the member would lose what the filing said.
    member = models.ForeignKey(
        "records.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("照合した加入者"),
    )
    # After a 消去 of the member: a keyed digest of the filing's personal fields, which are
    # emptied (each desk's erasure module says when).
    identity_digest = models.CharField(
        _("記載事項のダイジェスト"), max_length=64, blank=True, editable=False
    )
    # How the desk reaches whoever filed, named and sized alike at both desks. A filing names
    # its filer and a way to write back; a desk whose filer may stay anonymous takes them
    # optional (`optional`: a complaint). Each desk's form asks for them in its own words.
    name = models.CharField(_("氏名"), max_length=100)
    phone = models.CharField(_("電話番号"), max_length=20)
    email = models.EmailField(_("メールアドレス"), blank=True)
    address = models.CharField(_("住所"), max_length=300)

    # The status page's URL name ("desk:status"), for the link with the token.
    STATUS_URL_NAME: str
    # The fields that copy what the filer wrote about themselves, each with its empty value,
    # and the purpose that keys their digest (`reduce`).
    PERSONAL_FIELDS: dict[str, Any]
    DIGEST_PURPOSE: str
    # A personal field renamed since digests were kept -> the name its value is digested
    # under, so that a digest kept before the rename still checks.
    DIGEST_NAMES: dict[str, str] = {}

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.receipt_number

    def status_url(self, *, base_url: str, token: str) -> str:
        """The status link given once at filing: it holds the token, so it opens the page.
        The token is in the fragment (#t=), which browsers never send: no access log, proxy or
        Referer holds it; the token page posts it (`core/status_token.js`), or the person
        pastes the link. A link with ?t= (issued before) still opens, its token masked in the
        logs (`core.logfilter`)."""
        path = reverse(self.STATUS_URL_NAME, kwargs={"receipt": self.receipt_number})
        return f"{base_url.rstrip('/')}{path}#t={token}"

    def personal_digest(self) -> str:
        """A keyed digest (an HMAC under the installation's secret: a bare hash of a birth
        date is reversed by trying every day) of the personal fields, against which a later
        claim ("I filed this as ...") can be checked once they are gone."""
        values = {
            self.DIGEST_NAMES.get(name, name): getattr(self, name) for name in self.PERSONAL_FIELDS
        }
        return trail.keyed_digest(values, purpose=self.DIGEST_PURPOSE)


def optional(field_name: str) -> models.Field:
    """`PublicFiling`'s contact field `field_name`, optional: for a desk whose filer may stay
    anonymous (the complaints desk takes anonymous complaints, as the notice's section 4 says),
    declared in the model as `name = optional("name")`."""
    field = copy.deepcopy(cast(models.Field, PublicFiling._meta.get_field(field_name)))
    field.blank = True
    return field


def reduce(filing: PublicFiling, *, by, action: Action, details: dict, digest: str = "") -> str:
    """The erasure of a filing: its personal fields emptied, its member let go, the digest
    (`digest`, or the filing's own now) kept in their place, and the event appended in the
    caller's transaction. The trail gets the digest and `details`, never a value. Each desk
    deletes what else it holds of the person (documents, letters) itself, and says when."""
    digest = digest or filing.personal_digest()
    type(filing)._default_manager.filter(pk=filing.pk).update(
        **filing.PERSONAL_FIELDS, member=None, identity_digest=digest
    )
    trail.append(
        action=action,
        actor=trail.actor_for(by),
        target=filing,
        details={**details, "digest": digest},
    )
    return digest


def _token_from(text: str) -> str:
    """The token itself, or the one inside a pasted status link (#t=, or ?t= of old)."""
    text = text.strip()
    if "?" in text or "#" in text:
        parts = urlsplit(text)
        found = parse_qs(parts.fragment).get("t") or parse_qs(parts.query).get("t")
        return (found or [""])[0]
    return text


@dataclass(frozen=True)
class Desk:
    """One desk's public pages. Its templates are `<namespace>/new.html` (the form),
    `confirm.html` (`form` and the signed `draft`), `done.html` (`receipt`, `status_url`,
    `mailed` and what `done_context` adds) and `status.html` (`filed` and what
    `status_context` adds); the token page and the page of a used-up limit are the same for
    both desks (`filing/`)."""

    namespace: str
    model: type[PublicFiling]
    form_class: type
    # Files the confirmed form: (request, form, submission key) -> (filing, token), the token
    # None when the key was filed already (the confirmation sent twice).
    file: Callable[[HttpRequest, Any, str], tuple[PublicFiling, str | None]]
    status_title: str | Promise
    receipt_prefix: str = ""
    # What the desk's status page shows beside the filing.
    status_context: Callable[[Any], dict] = lambda filed: {}  # given the desk's own model
    # What the receipt page shows beside the number (its due dates): kept in the session until
    # the page is shown, so plain text.
    done_context: Callable[[Any], dict[str, str]] = lambda filed: {}  # the desk's own model
    # Runs on every posted form before it is answered, valid or not (kept uploads), with the
    # HTTP request; may add errors to the form.
    received: Callable[[HttpRequest, Any], None] = lambda request, form: None
    # The first step, for a desk whose form depends on a choice (`<namespace>/choose.html`,
    # with `choice` and the signed `typed`): a form whose fields are fields of `form_class`
    # too, asked first, and then carried by the form's page as hidden inputs.
    choice_form_class: type[forms.Form] | None = None

    @property
    def limit(self) -> Limit:
        # Tries per client address in a window, at a token (or a desk's second factor):
        # enough for typos, too few to guess.
        return Limit(f"{self.namespace}.status")

    @property
    def _salt(self) -> str:
        return f"{self.namespace}.draft"

    def _template(self, name: str) -> str:
        return f"{self.namespace}/{name}.html"

    def urls(self) -> list:
        return [
            path("new/", self.new, name="new"),
            path("confirm/", self.confirm, name="confirm"),
            path("done/", self.done, name="done"),
            path("status/", self.status, name="lookup"),
            path("status/<str:receipt>/", self.status, name="status"),
        ]

    # The form and its confirmation

    def new(self, request: HttpRequest) -> HttpResponse:
        return require_http_methods(["GET", "POST"])(self._new)(request)

    def _new(self, request):
        chooses = self.choice_form_class is not None
        if request.method == "GET":
            if not chooses:
                return render(request, self._template("new"), {"form": self.form_class()})
            # The first step is a GET form: its answer is the address of the form's page.
            return self._chosen(request, self.choice_form_class(request.GET or None), {})
        if chooses and "chosen" in request.POST:  # the first step, sent with what was typed
            return self._chosen(request, self.choice_form_class(request.POST), self._typed(request))
        form = self.form_class(request.POST, request.FILES)
        form.is_valid()
        self.received(request, form)
        if chooses and ("choose" in request.POST or self._choice_refused(form)):
            # Back to the first step (asked for, or its answer was not one the form takes),
            # with what was typed on the form's page kept, uploads included.
            return self._choose(request, self.choice_form_class(form.data), form.data)
        if not form.is_valid():  # `received` may have refused something
            return render(request, self._template("new"), {"form": form})
        data = {key: form.data.getlist(key) for key in form.data if key != "csrfmiddlewaretoken"}
        draft = signing.dumps({"data": data, "key": uuid.uuid4().hex}, salt=self._salt)
        return render(request, self._template("confirm"), {"form": form, "draft": draft})

    # The first step

    @property
    def _choice_names(self) -> tuple[str, ...]:
        chooser = self.choice_form_class
        return tuple(chooser.base_fields) if chooser is not None else ()

    def _choice_refused(self, form) -> bool:
        return any(name in form.errors for name in self._choice_names)

    def _choose(self, request, choice, typed) -> HttpResponse:
        """The first step's page again, `choice` checked, with what the form's page had typed
        carried as one signed value, so that coming back to the form keeps it."""
        choice.is_valid()
        kept = {
            key: typed.getlist(key)
            for key in typed
            if key not in self._choice_names and key != "csrfmiddlewaretoken"
        }
        typed_value = signing.dumps(kept, salt=self._typed_salt) if kept else ""
        return render(request, self._template("choose"), {"choice": choice, "typed": typed_value})

    @property
    def _typed_salt(self) -> str:
        return f"{self.namespace}.typed"

    def _typed(self, request) -> dict:
        try:
            return signing.loads(
                request.POST.get("typed", ""), salt=self._typed_salt, max_age=DRAFT_MAX_AGE
            )
        except signing.BadSignature:
            return {}

    def _chosen(self, request, choice, typed: dict) -> HttpResponse:
        """The first step's answer: the form's page with the fields it needs, showing what
        was typed before (not yet checked), or the first step again with its errors."""
        if not choice.is_bound or not choice.is_valid():
            return render(
                request,
                self._template("choose"),
                {"choice": choice, "typed": request.POST.get("typed", "") if typed else ""},
            )
        data = MultiValueDict(typed)
        for name in self._choice_names:
            data.setlist(name, choice.data.getlist(name))
        typed_form = self.form_class(data)
        initial = {
            field.name: field.data for field in typed_form if field.data not in (None, "", [])
        }
        return render(request, self._template("new"), {"form": self.form_class(initial=initial)})

    def confirm(self, request: HttpRequest) -> HttpResponse:
        return require_POST(self._confirm)(request)

    def _confirm(self, request):
        try:
            draft = signing.loads(
                request.POST.get("draft", ""), salt=self._salt, max_age=DRAFT_MAX_AGE
            )
        except signing.BadSignature:
            if self.choice_form_class is not None:  # typed again from the first step
                context = {"choice": self.choice_form_class(), "typed": "", "expired": True}
                return render(request, self._template("choose"), context)
            context = {"form": self.form_class(), "expired": True}
            return render(request, self._template("new"), context)
        if "edit" not in request.POST and (
            self.model._default_manager.filter(submission_key=draft["key"]).exists()
        ):
            # 送信 pressed again: the first press filed it (and its uploads are attached, so
            # the form would no longer validate); its receipt page shows the link.
            return redirect(f"{self.namespace}:done")
        form = self.form_class(MultiValueDict(draft["data"]))
        if "edit" in request.POST or not form.is_valid():
            return render(request, self._template("new"), {"form": form})
        filed, token = self.file(request, form, draft["key"])
        if token:
            request.session[self._filed_key] = {
                "receipt": filed.receipt_number,
                "status_url": filed.status_url(
                    base_url=request.build_absolute_uri("/"), token=token
                ),
                "mailed": bool(getattr(filed, "email", "")),
                **self.done_context(filed),
            }
        return redirect(f"{self.namespace}:done")

    @property
    def _filed_key(self) -> str:
        return f"{self.namespace}_filed"

    def done(self, request: HttpRequest) -> HttpResponse:
        return require_GET(self._done)(request)

    def _done(self, request):
        # Shown once: the token is stored only as its hash, and a shared computer's next
        # user must not find the link.
        filed = request.session.pop(self._filed_key, None)
        if not filed:
            return redirect(f"{self.namespace}:new")
        return render(request, self._template("done"), filed)

    # The status page

    @property
    def _opened_key(self) -> str:
        return f"{self.namespace}_opened"

    def opened(self, request: HttpRequest, receipt: str) -> PublicFiling | None:
        """The filing whose status page this session opened with its token, or None."""
        if receipt in request.session.get(self._opened_key, []):
            return self.model._default_manager.filter(receipt_number=receipt).first()
        return None

    def locked(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "filing/status_locked.html", {"title": self.status_title}, status=429
        )

    def status(self, request: HttpRequest, receipt: str | None = None) -> HttpResponse:
        return require_http_methods(["GET", "POST"])(self._status)(request, receipt)

    def _status(self, request, receipt):
        asked = receipt is None
        if request.method == "POST":
            token = request.POST.get("token")
            # The lookup page (no number in the address) asks for the number too.
            receipt = receipt or normalize_code(request.POST.get("receipt_number", "")).upper()
        else:
            # Only a status link holds the token; the lookup page has no number to go with it.
            token = None if asked else request.GET.get("t")
        if token is not None:
            tried = self.limit.take(client_address(request))
            if tried is None:
                return self.locked(request)
            found = (
                self.model._default_manager.filter(receipt_number=receipt).first()
                if receipts.is_receipt_number(receipt, prefix=self.receipt_prefix)
                else None
            )
            if receipts.token_matches(found, _token_from(token)):
                # The filer opening their own page is no guess.
                self.limit.give_back(tried)
                request.session[self._opened_key] = [
                    *request.session.get(self._opened_key, []),
                    receipt,
                ]
                # To the address without the token: out of the history and referrers.
                return redirect(f"{self.namespace}:status", receipt=receipt)
            # The same answer for a wrong token and an unknown receipt number.
            return self._token_page(request, receipt, asked=asked, wrong=True)
        filed = None if asked else self.opened(request, receipt)
        if filed is None:
            return self._token_page(request, receipt, asked=asked, wrong=False)
        return self.status_page(request, filed)

    def status_page(self, request: HttpRequest, filed: PublicFiling, **extra) -> HttpResponse:
        context = {"filed": filed, **self.status_context(filed), **extra}
        return render(request, self._template("status"), context)

    def _token_page(self, request, receipt, *, asked: bool, wrong: bool) -> HttpResponse:
        context = {"title": self.status_title, "receipt": receipt, "asked": asked, "wrong": wrong}
        return render(request, "filing/status_token.html", context)
