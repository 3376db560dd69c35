"""Operations on requests, written once and called from the public views and the admin.

Every write takes keyword-only arguments, runs in one transaction with its audit event, and
returns what it made. State changes go through `workflow.transition`. The trail gets ids
and codes only: never a name, a token or a typed value.
"""

import hashlib
import hmac
import secrets
import uuid

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from safeguards import deadlines
from safeguards.roles import Role, has_role

from . import letters, notify
from .models import IdentityDocument, KindPolicy, Letter, Request

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Detected from the content, never from the name or the browser's claim.
DOCUMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "application/pdf": "pdf",
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(request: Request | None, token: str) -> bool:
    """Whether `token` opens `request`'s status page (None: an unknown receipt number)."""
    return request is not None and hmac.compare_digest(request.token_hash, hash_token(token))


def check_document(upload) -> str:
    """The upload's content type, or a ValidationError saying what to do instead."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _(
                "ファイルが大きすぎます（%(size)d MB まで）。"
                "縮小するか、別のファイルを選んでください。"
            )
            % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    guess = filetype.guess(upload.read(8192))
    upload.seek(0)
    if guess is None or guess.mime not in DOCUMENT_TYPES:
        raise ValidationError(
            _("JPEG・PNG・HEIC の画像か PDF のファイルを選んでください。"), code="type"
        )
    return guess.mime


def document_store(*, upload, role: str) -> IdentityDocument:
    """Keep an upload provisionally (no request yet) until the filer confirms.

    The stored name is random: the filer's file name may itself be personal.
    """
    content_type = check_document(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = IdentityDocument(
        role=role, content_type=content_type, size=upload.size, sha256=digest.hexdigest()
    )
    document.file.save(f"{uuid.uuid4().hex}.{DOCUMENT_TYPES[content_type]}", upload, save=False)
    document.save()
    return document


def _new_receipt_number(on) -> str:
    while True:
        number = f"{on:%y%m%d}-{secrets.randbelow(10**6):06d}"
        if not Request.objects.filter(receipt_number=number).exists():
            return number


def status_path(request: Request) -> str:
    return reverse("disclosure:status", kwargs={"receipt": request.receipt_number})


@transaction.atomic
def request_file(
    *,
    fields: dict,
    categories,
    documents: list[IdentityDocument],
    channel: str,
    by,
    base_url: str,
    received_at=None,
    submission_key: str | None = None,
) -> tuple[Request, str | None]:
    """File a request from a validated form (`RequestForm.filing()`).

    Returns the request and its status token; when `submission_key` was filed already
    (the confirmation sent twice), returns that request and None: the token went out once.
    """
    if submission_key and (
        existing := Request.objects.filter(submission_key=submission_key).first()
    ):
        return existing, None
    received_at = received_at or timezone.now()
    policies = [KindPolicy.for_kind(kind) for kind in fields["kinds"]]
    received_on = deadlines.local_date(received_at)
    token = secrets.token_urlsafe(32)
    request = Request(
        **fields,
        channel=channel,
        received_at=received_at,
        # One answer for the whole filing, by the strictest of its kinds' periods.
        due_on=deadlines.due_date(received_on, days=min(p.deadline_days for p in policies)),
        # APPI Art. 38: KindPolicy's constraint keeps other kinds' fees at 0.
        fee_yen=sum(policy.fee_yen for policy in policies),
        token_hash=hash_token(token),
        receipt_number=_new_receipt_number(received_on),
        submission_key=submission_key,
        created_by=by,
    )
    request.full_clean()
    request.save()
    request.categories.set(categories)
    attached = IdentityDocument.objects.filter(
        pk__in=[document.pk for document in documents], request=None
    ).update(request=request)
    trail.append(
        action="disclosure.filed",
        actor=trail.actor_for(by),
        target=request,
        details={"channel": channel, "kinds": list(request.kinds), "documents": attached},
    )
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    notify.filed_on_commit(
        request, status_url=f"{base_url.rstrip('/')}{status_path(request)}?t={token}"
    )
    return request, token


def _locked(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def request_extend(*, request: Request, days: int, reason: str, by) -> Request:
    """Extend the answer period by `days` with a reason, and tell the requester."""
    if not has_role(by, Role.PRIVACY_OFFICER):
        raise PermissionDenied(_("期限の延長は個人情報取扱責任者が行います。"))
    request = _locked(request)
    if request.state not in Request.ANSWER_PENDING_STATES:
        raise ValidationError(_("回答済みの請求の期限は延長できません。"))
    request.extended_due_on = deadlines.extend(request.effective_due_on, days=days)
    request.extension_reason = reason
    request.full_clean()
    request.save()
    trail.append(
        action="disclosure.extended",
        actor=trail.actor_for(by),
        target=request,
        details={"days": days},
    )
    letters.issue(request, Letter.Kind.EXTENSION)
    notify.state_changed_on_commit(request)
    return request


@transaction.atomic
def fee_record_payment(*, request: Request, paid_on, by) -> Request:
    """Record that the fee (APPI Art. 38) was paid on `paid_on`."""
    if not (has_role(by, Role.HANDLER) or has_role(by, Role.PRIVACY_OFFICER)):
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    request = _locked(request)
    request.fee_paid_on = paid_on
    request.full_clean()
    request.save()
    trail.append(
        action="disclosure.fee_paid",
        actor=trail.actor_for(by),
        target=request,
        details={"fee_yen": request.fee_yen},
    )
    return request
