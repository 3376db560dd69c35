"""消去 (APPI Art. 35(1), (2)) carried out, and what a request keeps of the person afterwards;
the same steps for what no request asked (`dispose`: a disposal run, APPI Art. 22; `replay`).

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

A database restored from a backup taken before the erasure holds the person again: each
erasure is also entered in the erasure ledger outside the database (`audit.erasure_ledger`),
and `replay` carries it out again on the restored copy (`replay_erasures`, `restore_drill`).

The records of the categories stored encrypted (要配慮, bank accounts) are sealed with the
member's data key (`records.sealing`); erasing the whole member destroys that key, so those
values are unreadable in every backup of the main database, and in its free pages and dead
tuples, at once. The other values stay in old backups until they expire, and in deleted
pages that the database has not yet reused (SQLite's free pages, PostgreSQL's dead tuples
before VACUUM). A partial erasure keeps the key, which the member's other records need.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import erasure_ledger, trail
from audit.checkpoint import CheckpointError
from audit.vocabulary import Action
from core import filing
from core.traces import Candidate, Person
from records import rekeying
from records.models import Member, Record
from records.services import member_erase
from safeguards import approvals

from . import copies
from .models import DecisionItem, Kind, Package, ReceiptConsultation, Request
from .signals import member_erasing


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
def carry_out(*, request: Request, by, answers: dict[str, bool] | None = None) -> list[int]:
    """Erase exactly what the granted 消去 items of `request` name; return the erased record ids.

    An item names a record, a category, or (confirmed a second time, `whole_confirmed`) the
    whole member; records the law keeps are refused with the article, before anything goes.
    Erasing the whole member also reaches the filings that say they are theirs without a
    link: refused until the officer has answered for each (`answers`: each candidate's key,
    True where it is the member's; `disclosure.copies`).
    """
    items = list(request.items.filter(kind=Kind.ERASURE, granted=True))
    if not items:
        return []
    if any(item.erases_whole_member and not item.whole_confirmed for item in items):
        raise ValidationError(DecisionItem.WHOLE_UNCONFIRMED)
    whole = any(item.erases_whole_member for item in items)
    member = request.member
    if member is None:  # matched before any decision: only a closed request loses its member
        raise ValidationError(_("照合された加入者がいないため、消去を実施できません。"))
    if whole:
        # Four eyes: a whole member goes only on a second privacy officer's approval.
        approvals.require(
            kind=approvals.Kind.MEMBER_ERASURE,
            target=request,
            description=_("請求 %(receipt)s：加入者 #%(member)s の全体の消去")
            % {"receipt": request.receipt_number, "member": member.pk},
            by=by,
        )
    categories = sorted(
        {item.category for item in items if item.category is not None}, key=lambda c: c.code
    )
    record_ids = sorted({item.record_id for item in items if item.record_id is not None})
    if unknown := set(record_ids) - set(
        Record.objects.filter(member=member, pk__in=record_ids).values_list("pk", flat=True)
    ):
        raise ValidationError(
            _("記録ID %(ids)s はこの加入者の記録として保有していません。")
            % {"ids": ", ".join(map(str, sorted(unknown)))}
        )
    filed = _filed_about(member)
    finished = (Request.State.CLOSED, Request.State.WITHDRAWN, Request.State.REJECTED)
    if whole and filed.exclude(pk=request.pk).exclude(state__in=finished).exists():
        raise ValidationError(
            _(
                "この加入者には処理中の他の請求があります。先にそれらを完了してから消去してください。"
            )
        )
    chosen: list[str] = []
    person = None
    if whole:
        listed = candidates_for(request, by=by)
        answers = answers or {}
        if unanswered := [c for c in listed if c.key not in answers]:
            raise ValidationError(
                _(
                    "この加入者のものと思われる届出が %(n)d 件あります。消去する前に、"
                    "それぞれ本人のものか確認してください。"
                )
                % {"n": len(unanswered)}
            )
        chosen = sorted(c.key for c in listed if answers[c.key])
        if listed:
            copies.confirm(request=request, by=by, shown=listed, confirmed=set(chosen))
        person, filed_ids = _let_go(
            member=member,
            current=request,
            by=by,
            reference=request.receipt_number,
            confirmed=chosen,
        )
    else:
        filed_ids = list(filed.values_list("pk", flat=True))
    erased = member_erase(
        member=member,
        by=by,
        reason_ref=request.receipt_number,
        categories=None if whole else categories,
        record_ids=None if whole else record_ids,
    )
    _forget_records(request_ids=filed_ids, record_ids=erased, current=request)
    if person is not None:
        copies.remove(person=person, member_id=member.pk, record_ids=erased, by=by, target=request)
    _enter_in_ledger(
        request=request,
        reference=request.receipt_number,
        member=member,
        whole=whole,
        categories=[category.code for category in categories],
        erased=erased,
        confirmed=chosen,
    )
    request.refresh_from_db()
    return erased


def candidates_for(request: Request, *, by) -> list[Candidate]:
    """The filings the officer (`by`) must answer for before `request` erases its whole
    member, each a read in the trail: none for a request that erases less, or whose member
    is gone."""
    whole = request.items.filter(kind=Kind.ERASURE, granted=True, category__isnull=True)
    if request.member is None or not whole.filter(record_id__isnull=True).exists():
        return []
    known = list(_filed_about(request.member).values_list("pk", flat=True))
    return copies.candidates(member=request.member, known=known, by=by)


def _let_go(
    *, member: Member, current: Request | None, by, reference: str, confirmed: list[str]
) -> tuple[Person, list[int]]:
    """Before the member row goes: every request filed about the member, and those confirmed
    as theirs, reduced to its digest (`current`, the request being answered, keeps its filing
    until it closes, the digest already in place of the link); the apps above let go of theirs
    (`signals.member_erasing`). Returns everything known of the person's values, and the ids
    of the requests that were theirs."""
    theirs = list(_filed_about(member)) + list(
        Request.objects.filter(pk__in=copies.keys_of(confirmed, copies.REQUEST))
    )
    person = copies.person_of(member, theirs)
    for other in theirs:
        if other != current:
            _reduce(other, by=by, digest=other.identity_digest or other.personal_digest())
    if current is not None:
        # The member row goes next: this request keeps the digest in place of the link.
        Request.objects.filter(pk=current.pk).update(
            member=None, identity_digest=current.personal_digest()
        )
    # The apps above (complaints) let go of their copies now, while the member row still
    # names them; one of them refusing rolls the whole erasure back.
    for _receiver, values in member_erasing.send(
        sender=Request,
        member=member,
        by=by,
        reference=reference,
        person=person,
        confirmed=confirmed,
    ):
        if isinstance(values, dict):
            person = person.plus(**values)
    return person, [other.pk for other in theirs]


def _forget_records(
    *, request_ids: list[int], record_ids: list[int], current: Request | None
) -> None:
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
    """The request has closed: if its member was erased, reduce its filing to the digest, and
    empty the mail it was sent meanwhile."""
    if request.identity_digest:
        person = copies.person_of(None, [request])
        _reduce(request, by=by, digest=request.identity_digest)
        copies.remove(person=person, member_id=None, record_ids=[], by=by, target=request)


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
    filing.reduce(
        request,
        by=by,
        action=Action.DISCLOSURE_FILING_REDUCED,
        details={"documents": len(documents), "letters": len(letters), "packages": len(packages)},
        digest=digest,
    )


def delete_file_on_commit(file) -> None:
    # After the commit: a rolled-back erasure must find its files where they were.
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))


def member_digest(member: Member) -> str:
    """What the erasure ledger keeps to know the member again after a restore: a keyed digest
    of the insurance number and birth date. The id alone could name someone else in a copy
    that goes on taking new members."""
    values = [member.symbol, member.number, member.branch, member.birth_date]
    return trail.keyed_digest(values, purpose="kumiai.erasure.member")


def _enter_in_ledger(
    *,
    request: Request | None,
    reference: str,
    member: Member,
    whole: bool,
    categories: list[str],
    erased: list[int],
    confirmed: list[str],
) -> None:
    # `categories` None: the whole member. Otherwise exactly the records listed in `records`
    # went (those asked for by id and those of the categories), and a replay erases those.
    # `confirmed`: the filings the officer confirmed as the member's ("app.model:id").
    try:
        erasure_ledger.append_on_commit(
            {
                "at": timezone.now().isoformat(timespec="seconds"),
                "request": request and request.pk,
                "reference": reference,
                "member": member.pk,
                "member_digest": member_digest(member),
                "categories": None if whole else categories,
                "records": erased,
                "confirmed": confirmed,
            }
        )
    except CheckpointError:
        # Unsigned, the line could not be told from a forged one: no erasure without it.
        raise ValidationError(
            _(
                "消去の記録に署名する鍵（AUDIT_SIGNING_KEY）が使えないため、消去できません。"
                "システム管理者に連絡してください。"
            )
        ) from None


@transaction.atomic
def replay(entry: dict, *, line: int) -> int | None:
    """Carry out again, on a restored database, an erasure from the ledger (`audit.erasure_ledger`);
    the number of records erased again, or None if the copy no longer holds what it erased.

    The same steps as `carry_out`, by the system, on exactly the records the entry lists (a
    partial erasure) or the whole member: every request filed about a member erased
    whole is reduced to its digest (the request that asked is long closed by now), the apps
    above let go of theirs, then the records and the member go. Refused, with a Japanese
    `ValidationError`, where the id names another person in the copy.
    """
    member = Member.objects.filter(pk=entry["member"]).first()
    if member is None:
        if entry["categories"] is None:
            # A key store restored from its own backup may still hold the key: it goes again,
            # tried until it is done, as after the erasure itself.
            rekeying.destroy_on_commit(entry["member"])
        return None
    if member_digest(member) != entry["member_digest"]:
        raise ValidationError(
            _("加入者 ID %(id)s は、復元したデータでは消去した加入者と別の人です。"),
            params={"id": member.pk},
        )
    whole = entry["categories"] is None
    if not whole and not Record.objects.filter(member=member, pk__in=entry["records"]).exists():
        return None
    confirmed: list[str] = []
    if whole:
        # The filings the officer confirmed, where the copy still holds them unreduced.
        known = list(_filed_about(member).values_list("pk", flat=True))
        listed = {c.key for c in copies.candidates(member=member, known=known)}
        confirmed = [key for key in entry.get("confirmed", []) if key in listed]
    by = trail.SYSTEM
    erased = _erase(
        member=member,
        by=by,
        reference=entry["reference"],
        records=None if whole else entry["records"],
        confirmed=confirmed,
        replay=True,
    )
    trail.append(
        action=Action.AUDIT_ERASURE_REPLAYED,
        actor=by,
        target_type=Member._meta.label_lower,
        target_id=entry["member"],
        details={
            "line": line,
            "request": entry["request"],
            "reference": entry["reference"],
            "records": len(erased),
        },
    )
    return len(erased)


@transaction.atomic
def dispose(*, member: Member, records: list[int] | None, by, reference: str) -> list[int]:
    """Erase `records` of `member`, or (None) the whole member, as no 消去 item asked: a disposal
    run's records past their retention period (APPI Art. 22, `retention.disposal`), or the
    records a granted 削除 (Art. 34, `reference` the request's number) removes. The same
    steps as a request's erasure: the copies disclosure made go too, a whole member's filings
    are reduced and the apps above let go of theirs, the key goes, and the erasure enters the
    ledger. Returns the erased record ids."""
    erased = _erase(member=member, by=by, reference=reference, records=records, confirmed=[])
    _enter_in_ledger(
        request=None,
        reference=reference,
        member=member,
        whole=records is None,
        categories=[],
        erased=erased,
        confirmed=[],
    )
    return erased


def _erase(
    *,
    member: Member,
    by,
    reference: str,
    records: list[int] | None,
    confirmed: list[str],
    replay: bool = False,
) -> list[int]:
    """An erasure no request is answering (a replay, a disposal run): `records`, or (None)
    the whole member with the filings in `confirmed`. A replay does not re-key: the key store
    is the live one, which re-keyed the member when the erasure was first carried out."""
    person = None
    if records is None:
        person, filed_ids = _let_go(
            member=member, current=None, by=by, reference=reference, confirmed=confirmed
        )
    else:
        filed_ids = list(_filed_about(member).values_list("pk", flat=True))
    erased = member_erase(
        member=member,
        by=by,
        reason_ref=reference,
        categories=None if records is None else [],
        record_ids=records,
        rekey=not replay,
    )
    _forget_records(request_ids=filed_ids, record_ids=erased, current=None)
    if person is not None:
        copies.remove(person=person, member_id=member.pk, record_ids=erased, by=by, target=None)
    return erased
