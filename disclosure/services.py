"""Operations on requests, written once and called from the public views and the admin.

Every write takes keyword-only arguments, runs in one transaction with its audit event, and
returns what it made. State changes go through `core.workflow.transition`. The trail gets ids
and codes only: never a name, a token or a typed value.
"""

import datetime
import hashlib
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import trail
from audit.vocabulary import Action
from core import deadlines, pdf, receipts
from core.normalize import normalize_code
from core.wareki import format_wareki
from core.workflow import transition
from purposes.models import Category
from purposes.register import purposes_for
from records import gate
from records.models import Member, Protection, Record, Restriction
from records.services import (
    MEMBER_FIELDS,
    check_retention,
    kept_by_law,
    member_update,
    record_update,
    restriction_add,
)
from safeguards.roles import Role, has_role

from . import erasure, identity, letters, notify, package
from .access import handles_requests, statutory_access
from .delivery import deliver, holds_sensitive
from .models import (
    STOP_KINDS,
    DecisionItem,
    IdentityDocument,
    Kind,
    KindPolicy,
    Letter,
    ReceiptConsultation,
    Request,
)

RECEIPTS = "receipts"  # the register's code of レセプトに関する情報

# Detected from the content, never from the name or the browser's claim.
DOCUMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "application/pdf": "pdf",
}


def check_document(upload) -> str:
    """The upload's content type, or a ValidationError saying what to do instead."""
    if upload.size > settings.UPLOAD_MAX_FILE_BYTES:
        raise ValidationError(
            _(
                "ファイルが大きすぎます（%(size)d MB まで）。"
                "縮小するか、別のファイルを選んでください。"
            )
            % {"size": settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)},
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


# An upload waits this long for the filer to confirm (`RequestForm.kept_documents`). The purge
# leaves it a quarter of an hour more, so that it never deletes a file that a confirmation is
# attaching; run every quarter of an hour, it deletes each within the hour.
UPLOADS_MAX_AGE = datetime.timedelta(minutes=settings.UPLOAD_WAIT_MINUTES)
_PURGE_AFTER = UPLOADS_MAX_AGE + datetime.timedelta(minutes=15)


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


@transaction.atomic
def document_discard(*, pk: int, request: Request | None = None, by=trail.SYSTEM) -> None:
    """Delete an identity document at once: an upload still waiting for its filing (no
    `request`; the filer sent another in its place), so a replaced file is not kept until the
    purge; or one of `request`'s once the identity check has matched the member (`by` did),
    since a copy of an identity document is needed only until then (APPI Art. 22; ガイダンス
    Q&A). Audited as the purge's deletions."""
    for document in IdentityDocument.objects.select_for_update().filter(pk=pk, request=request):
        _purge(document, by=by)


def _purge(document: IdentityDocument, *, by=trail.SYSTEM) -> None:
    details: dict[str, str | int] = {"role": document.role}
    if document.request_id is not None:
        details["request"] = document.request_id
    trail.append(
        action=Action.DISCLOSURE_DOCUMENT_PURGED,
        actor=trail.actor_for(by),
        target=document,
        details=details,
    )
    erasure.delete_file_on_commit(document.file)
    document.delete()


@transaction.atomic
def documents_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploads that were never attached to a request and no longer can be, and
    the documents of requests rejected or withdrawn (kept from before their move deleted them).

    A filer who leaves the confirmation page leaves identity documents behind; past their
    wait nothing can attach them, and data kept for no purpose is to be deleted (APPI
    Art. 22). Each deletion is audited; the files go after the commit. Returns how many.
    """
    cutoff = (now or timezone.now()) - _PURGE_AFTER
    # `of`: PostgreSQL locks no row on the nullable side of the join to the request.
    orphans = IdentityDocument.objects.select_for_update(skip_locked=True, of=("self",)).filter(
        Q(request=None, uploaded_at__lt=cutoff)
        | Q(request__state__in=(Request.State.REJECTED, Request.State.WITHDRAWN))
    )
    count = 0
    for document in orphans:
        _purge(document)
        count += 1
    return count


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
    token = receipts.new_token()
    request = Request(
        **fields,
        channel=channel,
        received_at=received_at,
        # One answer for the whole filing, by the strictest of its kinds' periods.
        due_on=deadlines.due_date(received_on, days=min(p.deadline_days for p in policies)),
        # APPI Art. 38: KindPolicy's constraint keeps other kinds' fees at 0.
        fee_yen=sum(policy.fee_yen for policy in policies),
        token_hash=receipts.hash_token(token),
        receipt_number=receipts.new_receipt_number(Request, on=received_on),
        submission_key=submission_key,
        created_by=trail.user_of(by),
    )
    request.full_clean()
    request.save()
    if request.is_bereaved:  # the MHLW notice: the deceased's receipts only
        categories = list(Category.objects.filter(code=RECEIPTS))
    request.categories.set(categories)
    attached = IdentityDocument.objects.filter(
        pk__in=[document.pk for document in documents], request=None
    ).update(request=request)
    trail.append(
        action=Action.DISCLOSURE_REQUEST_FILED,
        actor=trail.actor_for(by),
        target=request,
        details={"channel": channel, "kinds": list(request.kinds), "documents": attached},
    )
    letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    notify.filed(request, status_url=request.status_url(base_url=base_url, token=token))
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
        action=Action.DISCLOSURE_REQUEST_EXTENDED,
        actor=trail.actor_for(by),
        target=request,
        details={"days": days},
    )
    letters.issue(request, Letter.Kind.EXTENSION)
    notify.state_changed(request)
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
        action=Action.DISCLOSURE_FEE_PAID,
        actor=trail.actor_for(by),
        target=request,
        details={"fee_yen": request.fee_yen},
    )
    return request


# Phase two: identity, gathering through the gate, decisions, carrying them out.


def identity_candidates(*, request: Request, by) -> list[Member]:
    """The register's members with the request's 記号・番号・枝番 and birth date (gated)."""
    return list(
        gate.members(statutory_access(request, by)).filter(
            symbol=request.member_symbol,
            number=request.member_number,
            branch=request.member_branch,
            birth_date=request.birth_date,
        )
    )


def request_match(
    *, request: Request, member: Member, by, identity_document_checked: bool = False
) -> Request:
    """The identity check passed: tie the request to `member` and start the review.

    APPI Art. 33(1) is the person's own right: a filed 氏名 or フリガナ that is not the
    register's (folded, `identity.name_differences`) is matched only once the officer confirms
    the identity document was checked (`identity_document_checked`), which the request keeps
    with the fields that differed. A dependent's data is the dependent's (APPI Art. 2(1)):
    the insured person of the same card is another person, who asks for it only as an agent
    with proof of authority (`identity.household_refusal`).
    """
    if member not in identity_candidates(request=request, by=by):
        raise ValidationError(_("記号・番号・枝番と生年月日が請求と一致しない加入者です。"))
    roles = set(request.documents.values_list("role", flat=True))
    if request.filer != Request.Filer.SELF and IdentityDocument.Role.AUTHORITY not in roles:
        raise ValidationError(
            _("代理権を証する書類がありません。追加書類を依頼してから照合してください。")
        )
    if request.on_behalf and Protection.objects.member_ids([member.pk]):
        return _refuse_protected(request, by=by)
    if request.is_bereaved:
        # The MHLW notice: the bereaved ask for the receipts of a member who has died.
        if member.died_on is None:
            raise ValidationError(
                _(
                    "この加入者の死亡日が記録されていません。遺族からの開示依頼は、死亡が確認"
                    "された加入者についてだけ照合できます。死亡の事実を確かめ、加入者の画面で"
                    "死亡日を記録してから照合してください。"
                )
            )
        if IdentityDocument.Role.BEREAVEMENT not in roles:
            raise ValidationError(
                _(
                    "死亡の事実と続柄を証する書類（戸籍謄本など）がありません。"
                    "追加書類を依頼してから照合してください。"
                )
            )
    elif member.died_on is not None:
        # APPI protects the living: no one asks as the deceased, or as their agent.
        raise ValidationError(
            _(
                "この加入者は死亡しています（死亡日 %(died)s）。本人又は代理人としての"
                "請求はできません。遺族からの診療報酬明細書等の開示依頼であれば、"
                "その依頼として受け付け直してください。"
            )
            % {"died": format_wareki(member.died_on)}
        )
    if refusal := identity.household_refusal(request, member, by=by):
        raise ValidationError(refusal)
    differences = identity.name_differences(request, member)
    if differences and not identity_document_checked:
        raise ValidationError(identity.MISMATCH_UNCHECKED)
    # Identity confirmed: the move deletes the copies of the documents that proved it
    # (`workflow.DOCUMENTS_DONE`).
    return transition(
        request,
        Request.State.REVIEW,
        by=by,
        member=member,
        name_differences=differences,
        identity_document_checked=bool(differences),
    )


# The letter to whoever asked on behalf of a protected member says nothing of the protection:
# that the member is protected, or from whom, is itself what the named person must not learn.
PROTECTED_REFUSAL = gettext_lazy(
    "ご請求には応じられません。ご請求の内容を確認した結果、当組合として開示等に応じることが"
    "できないと判断しました。ご不明な点は当組合の窓口までお問い合わせください。"
)


def _refuse_protected(request: Request, *, by) -> Request:
    """The MHLW guidance (DV, stalking, child abuse; the 支援措置 practice): nothing of a
    protected member goes to anyone filing on their behalf, whoever that is (a spouse, a
    parent as legal agent). The request is refused with a neutral letter, by the officer."""
    if not has_role(by, Role.PRIVACY_OFFICER):
        raise ValidationError(
            _(
                "この加入者には保護措置（DV等）が登録されているため、代理人・遺族からのこの請求"
                "には応じられません。個人情報取扱責任者が照合してください（保護措置に触れない"
                "通知書で却下します）。"
            )
        )
    # The move deletes the documents, as any rejection does (`workflow.DOCUMENTS_DONE`).
    return transition(request, Request.State.REJECTED, by=by, state_note=str(PROTECTED_REFUSAL))


def gather(*, request: Request, by) -> list[Record]:
    """Everything held about the matched member within the request's scope, via the gate."""
    records = gate.records(statutory_access(request, by)).filter(member=request.member)
    if request.is_bereaved:  # the deceased's receipts, and nothing else of theirs
        records = records.filter(category__code=RECEIPTS)
    if categories := list(request.categories.all()):
        records = records.filter(category__in=categories)
    if request.period_from:
        records = records.filter(date__gte=request.period_from)
    if request.period_until:
        records = records.filter(date__lte=request.period_until)
    return list(records.select_related("category").order_by("category__order", "date", "id"))


# A 遺族 開示依頼 about a deceased member of whom no receipt is held (in the period asked):
# answered that there is nothing to disclose, in the bereaved's own letters (the MHLW notice).
NO_RECEIPTS_ITEM = {
    "kind": Kind.DISCLOSURE,
    "granted": False,
    "ground": DecisionItem.Ground.NOT_HELD,
    "reason": gettext_lazy(
        "ご依頼の加入者について、開示の対象となる診療報酬明細書等を保有していません。"
    ),
}

NO_CONSENT = gettext_lazy(
    "請求者（遺族）が医療機関に氏名等を伝えることに同意していないため、医療機関には照会"
    "しません。照会せずに、レセプトごとに開示するかどうかを決定してください。"
)


@transaction.atomic
def consultation_record(
    *, request: Request, receipts: list[int], by, **fields
) -> list[ReceiptConsultation]:
    """Record the question to one medical institution about `receipts` (record ids), and its
    answer: one row per receipt, each with its event."""
    if not handles_requests(by):
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    if not receipts:
        raise ValidationError(_("照会するレセプトを選んでください。"))
    if request.is_bereaved and not request.institution_consent:
        # The MHLW notice: the institution learns who asks only with that person's consent.
        raise ValidationError(NO_CONSENT)
    recorded = []
    for record_id in receipts:
        consultation = request.consultations.filter(
            record_id=record_id
        ).first() or ReceiptConsultation(request=request, record_id=record_id)
        for name, value in fields.items():
            setattr(consultation, name, value)
        consultation.full_clean()
        consultation.save()
        trail.append(
            action=Action.DISCLOSURE_REQUEST_CONSULTED,
            actor=trail.actor_for(by),
            target=consultation,
            details={"request": request.pk, "answered": consultation.answered_on is not None},
        )
        recorded.append(consultation)
    return recorded


@transaction.atomic
def request_decide(*, request: Request, items: list[dict], reasons: str, by) -> Request:
    """Decide every item (full, partial or no disclosure follows from them) and notify.

    Refuses while a receipt in scope waits for the medical institution's answer: the
    health insurance guidance asks for it before any receipt is disclosed.
    """
    wanted = {item["kind"] for item in items if item["granted"]}
    if Kind.DISCLOSURE in wanted:
        receipts = {
            r.pk: r.category for r in gather(request=request, by=by) if r.category.code == RECEIPTS
        }
        answered = dict(
            request.consultations.filter(answered_on__isnull=False).values_list(
                "record_id", "hinders_care"
            )
        )
        # A bereaved person who did not consent is not named to the institution: not asked.
        asks = not request.is_bereaved or request.institution_consent
        if asks and (missing := [pk for pk in receipts if pk not in answered]):
            raise ValidationError(
                _("医療機関への照会が終わっていないレセプトがあります（記録ID %(ids)s）。")
                % {"ids": ", ".join(map(str, missing))}
            )
        # 診療上の支障: each receipt the institution flagged is a refused item of its own, on
        # the article alone, so that neither letter nor package hints at what it withholds.
        refused = {item.get("record_id") for item in items if not item["granted"]}
        ground, reason = (
            (DecisionItem.Ground.BEREAVED, _("厚生労働省通知に基づき開示しないこととしたため。"))
            if request.is_bereaved
            else (DecisionItem.Ground.HARM, _("法第33条第2項第1号に該当するため。"))
        )
        flagged = [pk for pk in receipts if answered.get(pk) and pk not in refused]
        # A flagged receipt's own row, where the decision had one, gives way to the refusal.
        items = [
            *(item for item in items if item.get("record_id") not in flagged),
            *(
                {
                    "kind": Kind.DISCLOSURE,
                    "granted": False,
                    "category": receipts[pk],
                    "record_id": pk,
                    "ground": ground,
                    "reason": reason,
                }
                for pk in flagged
            ),
        ]
    # Each item as it stands first, then how they stand together and what the law keeps.
    decided = [DecisionItem(request=request, **item) for item in items]
    for row in decided:
        row.full_clean(exclude=["request"])
    if any(row.ground == DecisionItem.Ground.RETENTION for row in decided):
        held = gather(request=request, by=by)
        for row in decided:
            check_retention_refusal(row, request=request, held=held)
    _refuse_a_grant_over_a_refusal(request=request, items=items, by=by)
    if erasing := [item for item in items if item["granted"] and item["kind"] == Kind.ERASURE]:
        _refuse_what_the_law_keeps(request=request, items=erasing, by=by)
    request.items.all().delete()
    for row in decided:
        row.save()
    granted = [item["granted"] for item in items]
    outcome = (
        Request.Outcome.FULL
        if all(granted)
        else Request.Outcome.NONE
        if not any(granted)
        else Request.Outcome.PARTIAL
    )
    return transition(
        request,
        Request.State.DECIDED,
        by=by,
        outcome=outcome,
        reasons=reasons,
        decided_at=timezone.now(),
    )


def _refuse_a_grant_over_a_refusal(*, request: Request, items: list[dict], by) -> None:
    """APPI Art. 35: the carry-out applies each granted item as it stands, so an Art. 35 item
    refused (for a category, a record or a purpose) must not lie wholly inside one granted of
    the same kind, which would stop or erase it all the same. A narrower grant inside a
    broader refusal is an exception to it, and stands."""
    stops = [item for item in items if item["kind"] in STOP_KINDS]
    refused = [item for item in stops if not item["granted"]]
    if not refused or all(not item["granted"] for item in stops):
        return
    category_of: dict[int, int] = {}
    if any(item.get("record_id") is not None for item in refused):
        category_of = {r.pk: r.category_id for r in gather(request=request, by=by)}

    def covers(granted: dict, other: dict) -> bool:
        if granted["kind"] != other["kind"]:
            return False
        if granted.get("purpose") is not None and granted["purpose"] != other.get("purpose"):
            return False
        if granted.get("record_id") is not None:
            return granted["record_id"] == other.get("record_id")
        if (category := granted.get("category")) is not None:
            if (within := other.get("category")) is not None:
                return within.pk == category.pk
            return category_of.get(other.get("record_id") or 0) == category.pk
        return True

    for granted in (item for item in stops if item["granted"]):
        if inside := next((other for other in refused if covers(granted, other)), None):
            raise ValidationError(
                _(
                    "認める明細「%(granted)s」が、認めない明細「%(refused)s」を含んでいます。"
                    "実施すると認めない部分にも及ぶため、認める範囲を類型・記録・利用目的で"
                    "分けて決定してください。"
                )
                % {
                    "granted": DecisionItem(**granted).subject,
                    "refused": DecisionItem(**inside).subject,
                }
            )


def _refuse_what_the_law_keeps(*, request: Request, items: list[dict], by) -> None:
    """APPI Art. 35: a record the law keeps is not erased. Said at the decision, before the
    letter promises its erasure (the carry-out checks again, `records.services.member_erase`):
    the officer refuses it on 「法令により保存が義務付けられている」 instead."""
    held = gate.records(statutory_access(request, by)).filter(member=request.member)
    if not any(item.get("category") is None and item.get("record_id") is None for item in items):
        held = held.filter(
            Q(category__in=[item["category"] for item in items if item.get("category")])
            | Q(pk__in=[item["record_id"] for item in items if item.get("record_id") is not None])
        )
    try:
        check_retention(
            held.select_related("category"),
            today=deadlines.today(),
            lost_on=request.member.lost_on if request.member else None,
        )
    except ValidationError as kept:
        raise ValidationError(
            _("%(kept)s その記録の消去は、根拠「%(ground)s」で認めない決定にしてください。")
            % {"kept": kept.messages[0], "ground": DecisionItem.Ground.RETENTION.label}
        ) from None


def check_retention_refusal(item: DecisionItem, *, request: Request, held: list[Record]) -> None:
    """APPI Art. 35: a 消去 refused on 「法令により保存が義務付けられている」 stands on the
    register, not on whatever law is typed. What it refuses (a record, the records of a
    category, or everything held) is kept by the law today, by the rule the carry-out and the
    disposal schedule read (`records.services.kept_by_law`), and the law is the one the
    register names for that record's category; the item then spells it as the register does,
    for the letter. Refused with a Japanese `ValidationError` on the field it concerns.
    `held`: the request's records (`gather`), so that the decision page and the decision read
    the same."""
    if item.ground != DecisionItem.Ground.RETENTION or not item.retention_law.strip():
        return
    if item.record_id is not None:
        scope = [record for record in held if record.pk == item.record_id]
        if not scope:
            raise ValidationError(
                {"record_id": _("選んだ記録は、この請求で保有している記録にありません。")}
            )
        category = scope[0].category
    elif item.category is not None:
        category = item.category
        scope = [record for record in held if record.category_id == category.pk]
    else:
        category, scope = None, held
    if category is not None and (category.retention_years is None or not category.retention_basis):
        raise ValidationError(
            {
                "ground": _(
                    "「%(category)s」には、法令による保存期間が登録されていません。"
                    "「%(ground)s」を根拠に認めない決定にはできません。"
                )
                % {"category": category.name, "ground": DecisionItem.Ground.RETENTION.label}
            }
        )
    lost_on = request.member.lost_on if request.member else None
    kept = kept_by_law(scope, today=deadlines.today(), lost_on=lost_on)
    if not kept:
        raise ValidationError({"ground": _nothing_kept(item, scope, category, lost_on=lost_on)})
    laws = list(dict.fromkeys(basis for *_rest, basis in kept))
    typed = normalize_code(item.retention_law)
    if (law := next((law for law in laws if normalize_code(law) == typed), None)) is None:
        raise ValidationError(
            {
                "retention_law": _(
                    "「%(law)s」は、登録簿が%(what)sの保存の根拠とする法令ではありません。"
                    "「%(laws)s」と書くか、一覧から選んでください。"
                )
                % {
                    "law": item.retention_law.strip(),
                    "what": _("「%(category)s」") % {"category": category.name}
                    if category
                    else _("保存期間中の記録"),
                    "laws": "」「".join(laws),
                }
            }
        )
    item.retention_law = law


def _nothing_kept(item: DecisionItem, scope: list[Record], category, *, lost_on) -> str:
    """Why a retention refusal keeps nothing: the record, or every record it would keep, is
    past its period (or in a period that starts with the loss of membership)."""
    ground = DecisionItem.Ground.RETENTION.label
    if item.record_id is not None:
        (record,) = scope
        until = record.category.kept_until(record.date, lost_on=lost_on)
        if until is not None and until != datetime.date.max:
            return _(
                "記録ID %(id)s は、%(basis)sによる保存期間（%(until)sまで）を過ぎています。"
                "「%(ground)s」を根拠に認めない決定にはできません。"
            ) % {
                "id": record.pk,
                "basis": record.category.retention_basis,
                "until": format_wareki(until),
                "ground": ground,
            }
        return _(
            "記録ID %(id)s の保存期間（%(period)s）は資格の喪失から始まり、まだ始まって"
            "いません。「%(ground)s」を根拠に認めない決定にはできません。"
        ) % {"id": record.pk, "period": record.category.retention_period, "ground": ground}
    return _(
        "%(what)sに、法令により保存期間中の記録はありません。「%(ground)s」を根拠に認めない"
        "決定にはできません。"
    ) % {
        "what": _("「%(category)s」") % {"category": category.name}
        if category
        else _("この請求の対象"),
        "ground": ground,
    }


@transaction.atomic
def request_carry_out(
    *,
    request: Request,
    by,
    answers: dict[str, bool] | None = None,
    delivery: str = Request.Delivery.DOWNLOAD,
    posted_on: datetime.date | None = None,
    tracking_number: str = "",
) -> Request:
    """Apply every granted item, then mark the request carried out (completion letter).
    `answers`: the officer's, on the filings that may be the member's (`erasure.carry_out`).
    `delivery`: how the package goes; 本人限定受取郵便 (with the day it was posted) only for
    a package holding 要配慮個人情報 (`disclosure.delivery`)."""
    if request.member is None:  # carried out only after the match (the workflow's table)
        raise ValidationError(_("照合された加入者がいないため、実施できません。"))
    granted = request.items.filter(granted=True)
    kinds = set(granted.values_list("kind", flat=True))
    held = gather(request=request, by=by)
    if Kind.DISCLOSURE in kinds:
        if delivery == Request.Delivery.RESTRICTED_POST and not holds_sensitive(held):
            raise ValidationError(
                _("本人限定受取郵便で送るのは、要配慮個人情報を含む開示データに限ります。")
            )
        made = package.build(request=request, records=held, by=by)
        deliver(
            request=request,
            package=made,
            method=delivery,
            by=by,
            posted_on=posted_on,
            tracking_number=tracking_number,
        )
    by_id = {record.pk: record for record in held}
    Correction = DecisionItem.Correction
    deleted: list[int] = []
    payloads: dict[int, dict] = {}
    for item in granted.filter(kind=Kind.CORRECTION):
        # APPI Art. 34(2): the record or the member's own row as it should be, through the
        # gate's services; the trail keeps field names and digests of before and after.
        # 訂正 replaces a value, 追加 adds one where none was, 削除 removes a value, or (no
        # field named) the whole record, as an erasure is carried out.
        if item.record_id in by_id and item.correction == Correction.DELETE and not item.field:
            deleted.append(item.record_id)
        elif item.record_id in by_id:
            record = by_id[item.record_id]
            # From the values as the items before left them (a saved record is sealed again,
            # its payload no longer on the instance).
            payload = dict(payloads.setdefault(record.pk, dict(record.payload)))
            if item.correction == Correction.ADD and payload.get(item.field) not in (None, ""):
                raise ValidationError(
                    _(
                        "追加を認めた項目（%(field)s）には既に内容があります。訂正として"
                        "決定し直してください。"
                    )
                    % {"field": item.field}
                )
            if item.correction == Correction.DELETE:
                payload.pop(item.field, None)
            else:
                payload[item.field] = item.new_value
            record_update(record=record, by=by, payload=payload)
            payloads[record.pk] = payload
        elif item.record_id is None and item.field in MEMBER_FIELDS:
            value = "" if item.correction == Correction.DELETE else item.new_value
            member_update(member=request.member, by=by, **{item.field: value})
        else:
            # A granted item that cannot be applied: the request is not carried out.
            raise ValidationError(
                _(
                    "訂正を認めた明細（%(field)s）を適用できません。訂正する記録と項目、"
                    "または加入者の項目を指定して決定し直してください。"
                )
                % {"field": item.field or "項目の指定なし"}
            )
    if deleted:
        erasure.dispose(
            member=request.member, records=deleted, by=by, reference=request.receipt_number
        )
    today = deadlines.today()
    stop_kinds: dict[str, Restriction.Kind] = {
        Kind.SUSPENSION: Restriction.Kind.SUSPEND_USE,
        Kind.THIRD_PARTY_STOP: Restriction.Kind.STOP_THIRD_PARTY,
    }
    for item in granted.filter(kind__in=stop_kinds).select_related("category", "purpose"):
        # APPI Art. 35(2), (4): in force from today, for the category and the purpose granted
        # (none: every one); the gate and the provision register read it.
        restriction_add(
            member=request.member,
            kind=stop_kinds[item.kind],
            category=item.category,
            purpose=item.purpose,
            since=today,
            by=by,
            reference=request.receipt_number,
        )
    if Kind.ERASURE in kinds:
        # APPI Art. 35(2): after the package and the corrections, which read the records.
        erasure.carry_out(request=request, by=by, answers=answers)
    if Kind.PURPOSE_NOTICE in kinds:
        # APPI Art. 32(2): the purposes that apply to this member's categories, as published.
        held_categories = {record.category_id: record.category for record in held}
        rows = [
            (category.name, "\n".join(p.name for p in purposes_for(category_ids=[pk], on=today)))
            for pk, category in held_categories.items()
        ]
        letters.issue(request, Letter.Kind.PURPOSES, extra=[pdf.table(rows)] if rows else [])
    return transition(request, Request.State.CARRIED_OUT, by=by)


@transaction.atomic
def request_close(*, request: Request, by) -> Request:
    """Close the request; a filing whose member was erased keeps only its digest from now."""
    request = transition(request, Request.State.CLOSED, by=by)
    erasure.closed(request=request, by=by)
    request.refresh_from_db()
    return request
