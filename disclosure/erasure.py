"""消去 (APPI Art. 35(1), (2)) carried out, and what a request keeps of the person afterwards.

The records and the member row are erased by `records.services.member_erase`; this module
removes the copies that disclosure made of them, so that a dump of the whole database
holds none of the erased values while the audit chain, which holds ids, codes and field
names only, still verifies (DESIGN, invariant 3).

Where the values were copied, and what happens to each copy:

- packages (ZIPs of the records as disclosed): deleted, file and row;
- corrections decided (`DecisionItem.new_value`) and the medical institution named in a
  receipt consultation: emptied for the erased records (the decision, its ground and its
  reason stay: Art. 36 asks for the reasons to be given, not for the values);
- with the whole member erased, every request filed about them: the filing's copies of the
  card's 記号・番号・枝番, name, kana, birth date, address, phone, mail, the agent's
  details, the grounds typed and the corrections asked for, the identity documents, and
  the letters' PDFs (which name the requester);
- with the whole member erased, the apps above let go of theirs on `signals.member_erasing`
  (complaints linked to the member: complaints.erasure).

What a request keeps, and why. The Act does not oblige the society to keep a request, but
it must be able to show that it answered one (the deadline of Art. 39, a complaint, the
監事's audit, the 個人情報保護委員会's report request of Art. 146). That takes the receipt
number, the kinds, the dates, the states, the decision with its grounds and reasons, which
letters were sent when, and proof of what the filing said; it does not take the values.
So once the member is erased, the filing is reduced to one keyed digest
(`identity_digest`, an HMAC under the installation's secret: a bare hash of a birth date
is reversed by trying every day), against which a later claim ("I filed this as ...") can
be checked, and each letter to the SHA-256 of the PDF sent. The request being answered
keeps its own filing, letters and package until it closes: the requester still reads the
completion letter and downloads what was disclosed before the erasure. Requests finished
before are reduced at once; a whole erasure waits until the member's other requests are.

Not covered here: file-system and database backups, and deleted pages that the database
has not yet reused (SQLite's free pages, PostgreSQL's dead tuples before VACUUM); DESIGN's
per-member keys are the answer for those.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit import trail
from records.models import Member
from records.services import member_erase

from .models import DecisionItem, Kind, Package, ReceiptConsultation, Request
from .signals import member_erasing

# The filing's fields that copy the person's (and the agent's) values, and their empty value.
FILING_FIELDS = {
    "agent_name": "",
    "agent_name_kana": "",
    "agent_relationship": "",
    "agent_address": "",
    "agent_phone": "",
    "member_symbol": "",
    "member_number": "",
    "member_branch": "",
    "name": "",
    "name_kana": "",
    "birth_date": None,
    "postal_code": "",
    "address": "",
    "phone": "",
    "email": "",
    "grounds": "",
    "corrections": [],
}


def filing_digest(request: Request) -> str:
    values = {name: getattr(request, name) for name in FILING_FIELDS}
    return trail.keyed_digest(values, purpose="kumiai.disclosure.filing")


def _filed_about(member: Member):
    """Requests matched to `member`, or filed with their insurance number and birth date."""
    return Request.objects.filter(
        Q(member=member)
        | Q(
            member_symbol=member.symbol,
            member_number=member.number,
            member_branch=member.branch,
            birth_date=member.birth_date,
        )
    )


@transaction.atomic
def carry_out(*, request: Request, by) -> list[int]:
    """Erase what the granted 消去 items of `request` name; return the erased record ids.

    An item without a category asks for everything held about the member.
    """
    items = request.items.filter(kind=Kind.ERASURE, granted=True)
    whole = items.filter(category=None).exists()
    member = request.member
    filed = _filed_about(member)
    finished = (Request.State.CLOSED, Request.State.WITHDRAWN, Request.State.REJECTED)
    if whole and filed.exclude(pk=request.pk).exclude(state__in=finished).exists():
        raise ValidationError(
            _(
                "この加入者には処理中の他の請求があります。先にそれらを完了してから消去してください。"
            )
        )
    filed_ids = list(filed.values_list("pk", flat=True))
    if whole:
        for other in filed.exclude(pk=request.pk):
            _reduce(other, by=by, digest=filing_digest(other))
        # The member row goes next: this request keeps the digest in place of the link.
        Request.objects.filter(pk=request.pk).update(
            member=None, identity_digest=filing_digest(request)
        )
        # The apps above (complaints) let go of their copies now, while the member row
        # still names them; one of them refusing rolls the whole erasure back.
        member_erasing.send(sender=Request, member=member, by=by, reference=request.receipt_number)
    erased = member_erase(
        member=member,
        by=by,
        reason_ref=request.receipt_number,
        categories=None if whole else [item.category for item in items],
    )
    _forget_records(request_ids=filed_ids, record_ids=erased, current=request)
    request.refresh_from_db()
    return erased


def _forget_records(*, request_ids: list[int], record_ids: list[int], current: Request) -> None:
    # Packages already sent hold the erased records; the current request's waits for its close.
    for package in Package.objects.filter(request__in=request_ids).exclude(request=current):
        delete_file_on_commit(package.file)
        package.delete()
    DecisionItem.objects.filter(request__in=request_ids, record_id__in=record_ids).update(
        new_value=""
    )
    ReceiptConsultation.objects.filter(request__in=request_ids, record_id__in=record_ids).update(
        institution="", note=""
    )


def closed(*, request: Request, by) -> None:
    """The request has closed: if its member was erased, reduce its filing to the digest."""
    if request.identity_digest:
        _reduce(request, by=by, digest=request.identity_digest)


def _reduce(request: Request, *, by, digest: str) -> None:
    documents = list(request.documents.all())
    for document in documents:
        delete_file_on_commit(document.file)
        document.delete()
    letters = list(request.letters.exclude(file=""))
    for letter in letters:
        delete_file_on_commit(letter.file)
    request.letters.update(file="")
    packages = list(request.packages.all())
    for package in packages:
        delete_file_on_commit(package.file)
        package.delete()
    request.items.update(new_value="")
    request.consultations.update(institution="", note="")
    Request.objects.filter(pk=request.pk).update(
        **FILING_FIELDS, member=None, identity_digest=digest
    )
    trail.append(
        action="disclosure.filing_reduced",
        actor=trail.actor_for(by),
        target=request,
        details={
            "documents": len(documents),
            "letters": len(letters),
            "packages": len(packages),
            "digest": digest,
        },
    )


def delete_file_on_commit(file) -> None:
    # After the commit: a rolled-back erasure must find its files where they were.
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))
