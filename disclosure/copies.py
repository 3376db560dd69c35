"""What names a member outside the records and the filings linked to them, found and removed
when the whole member is erased (消去, APPI Art. 35; issue 15, "erasure reaches every copy").

`disclosure.erasure` calls this module; what it finds and what happens to each:

- filings that say they are about the member without being linked to them: a request
  (rejected, withdrawn or closed too) whose normalised name, フリガナ, birth date and
  記号・番号・枝番 agree on two or more (a first filing rejected because the birth date was
  mistyped by a day), and a complaint (anonymous ones too) whose name or 記号・番号 agrees
  (`complaints.erasure.candidates`, through `signals.erasure_candidates`). They may be
  someone else's: each is listed for the privacy officer (`candidates`), who confirms it as
  the member's on the carry-out page (`moves.CarryOutForm`); a confirmed one is reduced to
  its digest as a linked one is, documents, letters and packages deleted;
- text typed about the member: the staff's notes, reasons and answers on every request, and
  on every complaint (the complaint's own text and the desk's answer; `complaints.erasure`),
  the reasons typed for statutory reads (`safeguards.StatutoryAccessReason`), the admin's
  history (`django_admin_log.object_repr` and `change_message`): each of the member's values
  (`core.traces.Person`: name, フリガナ, 記号・番号, phone, e-mail, address, as the member row and
  every filing of theirs give them) becomes 「［消去済み：氏名］」, the rest of the text stays;
- sessions whose data holds any of those values (a statutory reason being typed, a status
  page's receipt data): deleted, their holders signed out;
- mail in the outbox (`core.OutboxMail`) to the member's address or naming them, sent or
  failed: body and addresses emptied (a pending mail is emptied by the worker once sent). The
  task rows of django-tasks hold only the mail's id.

What it cannot find: an upload that no filing holds yet (its bytes name nobody the database
knows; `purge_uploads` deletes it within the hour), and the logs, which never hold a name,
token, address or search term to begin with (`core.logfilter`).
"""

import json

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from audit.vocabulary import Action
from core.models import OutboxMail
from core.sweep import may_name
from core.traces import Candidate, Identity, Person, note
from core.wareki import format_wareki
from records import gate
from records.models import Member
from safeguards.models import StatutoryAccessReason

from .access import DESK
from .models import DecisionItem, ReceiptConsultation, Request
from .signals import erasure_candidates

REQUEST = "disclosure.request"
# A request needs two of name, フリガナ, birth date and 記号・番号・枝番 to agree: one alone
# (a common name, a shared birthday) names too many people to list.
AGREEING = 2
# The staff's text on a request and its items: each the member's values redacted.
REQUEST_TEXTS = ("state_note", "extension_reason", "reasons")


def identity_of(member: Member, *, branch: bool = True) -> Identity:
    return Identity.of(
        name=member.name,
        kana=member.name_kana,
        birth_date=member.birth_date,
        symbol=member.symbol,
        number=member.number,
        branch=member.branch if branch else None,
    )


def request_identity(request: Request) -> Identity:
    return Identity.of(
        name=request.name,
        kana=request.name_kana,
        birth_date=request.birth_date,
        symbol=request.member_symbol,
        number=request.member_number,
        branch=request.member_branch,
    )


def candidates(*, member: Member, known: list[int], by=None) -> list[Candidate]:
    """The filings that may be `member`'s and are not linked to them (`known`: the requests
    already taken as theirs), for the officer to confirm: requests, then the apps above's.
    Shown to `by` (the officer), each one is a read of its desk's, in the trail; a replay
    (`by` None) shows nothing to anyone."""
    identity = identity_of(member)
    spaced = {member.name, member.name.replace(" ", ""), member.name.replace(" ", "\u3000")}
    kana = {member.name_kana, member.name_kana.replace(" ", "")}
    nearby = (
        Request.objects.filter(member__isnull=True, identity_digest="")
        .exclude(pk__in=known)
        .filter(
            Q(member_number=member.number)
            | Q(birth_date=member.birth_date)
            | Q(name__in=spaced)
            | Q(name_kana__in=kana)
        )
        .order_by("received_at", "pk")
    )
    found = []
    for request in nearby:
        matched, differs = identity.compare(request_identity(request))
        if len(matched) >= AGREEING:
            found.append(
                Candidate(
                    key=f"{REQUEST}:{request.pk}",
                    kind=str(Request._meta.verbose_name),
                    receipt=request.receipt_number,
                    state=request.get_state_display(),
                    received_at=request.received_at,
                    shown=(
                        (_("氏名"), f"{request.name}（{request.name_kana}）"),
                        (
                            _("生年月日"),
                            format_wareki(request.birth_date) if request.birth_date else "—",
                        ),
                        (
                            _("記号・番号・枝番"),
                            f"{request.member_symbol}-{request.member_number}-"
                            f"{request.member_branch}",
                        ),
                        (_("住所"), request.address),
                    ),
                    matched=tuple(matched),
                    differs=tuple(differs),
                )
            )
    if by is not None and found:
        shown = Request.objects.filter(pk__in=keys_of([c.key for c in found], REQUEST))
        list(gate.filings(gate.open_desk(user=by, desk=DESK, surface=gate.Surface.ADMIN), shown))
    for _receiver, more in erasure_candidates.send(
        sender=Request, identity=identity_of(member, branch=False), by=by
    ):
        if isinstance(more, list):
            found.extend(more)
    return found


def keys_of(confirmed, model: str) -> list[int]:
    """The ids of `model` ("app.model") among confirmed candidate keys."""
    return sorted(int(key.split(":")[1]) for key in confirmed if key.split(":")[0] == model)


def person_of(member: Member | None, requests) -> Person:
    """The member's values as the member row and the requests filed about them give them."""
    person = Person()
    if member is not None:
        person = person.plus(
            names=[member.name],
            kana=[member.name_kana],
            numbers=[(member.symbol, member.number, member.branch)],
            addresses=[member.address],
        )
    for request in requests:
        person = person.plus(
            names=[request.name, request.agent_name],
            kana=[request.name_kana, request.agent_name_kana],
            numbers=[(request.member_symbol, request.member_number, request.member_branch)],
            phones=[request.phone, request.agent_phone],
            emails=[request.email],
            addresses=[request.address, request.agent_address],
        )
    return person


def confirm(*, request: Request, by, shown: list[Candidate], confirmed: set[str]) -> None:
    """The officer's answer on the candidates listed for `request`'s erasure, in the trail."""
    trail.append(
        action=Action.DISCLOSURE_ERASURE_CONFIRMED,
        actor=trail.actor_for(by),
        target=request,
        details={
            "confirmed": sorted(c.key for c in shown if c.key in confirmed),
            "declined": sorted(c.key for c in shown if c.key not in confirmed),
        },
    )


def remove(*, person: Person, member_id: int | None, record_ids: list[int], by, target) -> None:
    """Redact, delete or empty every copy of `person`'s values outside the filings reduced
    (the module's list); one event on `target` (the request) says how many of each."""
    counts = {
        "requests": _redact_requests(person, by=by),
        "reasons": _redact(StatutoryAccessReason.objects.all(), ("reason",), person),
        "admin_log": _admin_log(person, member_id=member_id, record_ids=record_ids),
        "sessions": _sessions(person),
        "mails": _mails(person),
    }
    trail.append(
        action=Action.DISCLOSURE_ERASURE_SWEPT,
        actor=trail.actor_for(by),
        target=target,
        details=counts,
    )


def _redact(
    queryset, fields: tuple[str, ...], person: Person, *, where: Q | None = None, read=str
) -> int:
    """Each row's `fields` with the person's values replaced by their note; rows changed.
    `where` narrows the rows (by default `may_name` on the fields); `read` gives a text as
    the matcher reads it, and a changed text is written back as read."""
    changed = 0
    rows = queryset.filter(may_name(person, fields) if where is None else where)
    for pk, *texts in rows.values_list("pk", *fields).iterator():
        read_texts = [read(text) for text in texts]
        redacted = {
            name: person.redact(text)[0] for name, text in zip(fields, read_texts, strict=True)
        }
        if any(redacted[name] != text for name, text in zip(fields, read_texts, strict=True)):
            queryset.model._default_manager.filter(pk=pk).update(**redacted)
            changed += 1
    return changed


def _redact_requests(person: Person, *, by) -> int:
    """The staff's text on every request still holding any (a reduced one holds the decision
    and its reasons: those too), each request changed with its event."""
    changed: set[int] = set()
    for model, fields, request_of in (
        (Request, REQUEST_TEXTS, "pk"),
        (DecisionItem, ("reason", "new_value"), "request_id"),
        (ReceiptConsultation, ("institution", "note"), "request_id"),
    ):
        rows = model._default_manager.filter(may_name(person, fields))
        for row in rows.values("pk", request_of, *fields).iterator():
            redacted = {name: person.redact(row[name])[0] for name in fields}
            if any(redacted[name] != row[name] for name in fields):
                model._default_manager.filter(pk=row["pk"]).update(**redacted)
                changed.add(row[request_of])
    for request in Request.objects.filter(pk__in=changed):
        trail.append(
            action=Action.DISCLOSURE_REQUEST_REDACTED,
            actor=trail.actor_for(by),
            target=request,
            details={},
        )
    return len(changed)


def _admin_log(person: Person, *, member_id: int | None, record_ids: list[int]) -> int:
    """The admin's history: the rows of the member and their records say only that they
    were erased; every row's text loses the member's values."""
    named = Q(content_type=ContentType.objects.get_for_model(Member), object_id=str(member_id)) | Q(
        content_type__app_label="records",
        content_type__model="record",
        object_id__in=[str(pk) for pk in record_ids],
    )
    erased = LogEntry.objects.filter(named).update(object_repr=note(_("消去した加入者の記録")))
    # Django writes a change message as JSON with its non-ASCII characters escaped
    # (`\\uXXXX`), where no matcher reads a name (an object added on an inline form): each
    # that may hold a value, as written or as escaped, is read decoded and written back
    # decoded without it (Django reads it either way, `LogEntry.get_change_message`).
    messages = ("change_message",)
    return (
        erased
        + _redact(LogEntry.objects.all(), ("object_repr",), person)
        + _redact(
            LogEntry.objects.all(),
            messages,
            person,
            where=may_name(person, messages) | may_name(person, messages, as_json=True),
            read=_decoded,
        )
    )


def _decoded(message: str) -> str:
    """A change message with its JSON's escapes decoded; one written as words, as it is."""
    try:
        return json.dumps(json.loads(message), ensure_ascii=False)
    except ValueError:
        return message


def _sessions(person: Person) -> int:
    """Sessions holding any of the person's values (a reason being typed, a filed page), and
    every expired session.

    A session's data is signed and compressed (`SessionStore.encode`): no SQL can look into
    it, so each live session is decoded and matched here. An expired one is no one's any
    more (Django reads it as absent) but still holds what was typed into it until
    `clearsessions`: it goes in one DELETE on the indexed `expire_date`, never decoded."""
    now = timezone.now()
    expired = Session.objects.filter(expire_date__lt=now).delete()[0]
    holding = []
    for session in Session.objects.filter(expire_date__gte=now).iterator():
        data = json.dumps(session.get_decoded(), ensure_ascii=False, default=str)
        if person.found_in(data):
            holding.append(session.pk)
    return expired + Session.objects.filter(pk__in=holding).delete()[0]


def _mails(person: Person) -> int:
    """Sent and failed mail to the person or naming them: emptied. A pending mail is still
    sent as queued (it may be the answer to her request), and emptied once sent or failed
    (`core.outbox`). A sent mail was emptied when it was sent (`core.outbox.deliver`), and
    its subject is the desk's words and a receipt number: only the mail that still holds a
    body or an address is read (`state` is indexed)."""
    holding = OutboxMail.objects.filter(
        Q(state__in=[OutboxMail.State.PENDING, OutboxMail.State.FAILED]) | ~Q(body="")
    )
    found = [
        mail.pk
        for mail in holding.iterator()
        if person.found_in(" ".join([*mail.to, mail.subject, mail.body]))
    ]
    found_mail = OutboxMail.objects.filter(pk__in=found)
    found_mail.filter(state=OutboxMail.State.PENDING).update(erased_meanwhile=True)
    return found_mail.exclude(state=OutboxMail.State.PENDING).update(
        to=[], body="", subject=note(_("件名"))
    )
