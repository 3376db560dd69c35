"""A complaint when its member is erased (消去, APPI Art. 35): what it keeps, what goes.

A complaint is the complainant's own filing, not the society's record of the member; but a
complaint linked to a member who asked to be erased holds that member's values as typed
(name, contact details, 記号・番号, and an account that names them), and a dump of the
database must not show them afterwards. So, as a request's filing does (disclosure.erasure),
the complaint keeps one keyed digest of those fields, against which a later claim can be
checked, and the fields are emptied. What shows that the desk handled it stays (APPI Art.
40; the 監事's audit; the monthly summary): the receipt number, channel, subject, category,
the request it named, the dates, the states, the response as written, the cause and the
corrective action. The trail, which never held the values, keeps ids and the digest.

Refused while a linked complaint is open: the desk still has to answer it, and it answers
with those contact details. The desk closes or withdraws it first, as requests wait for the
member's other requests (disclosure.erasure).

A complaint not linked may still be hers: one filed with her name or her 記号・番号 is listed
for the privacy officer (`candidates`) and reduced as a linked one once confirmed. And any
complaint may name her in its text, an anonymous one or the desk's answer to another: each
text loses her values (`core.traces.Person.redact`, a note 「［消去済み：氏名］」 in their
place), the rest of the account stays.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from audit import trail
from audit.vocabulary import Action
from core import filing
from core.sweep import may_name
from core.traces import Candidate, Identity, Person
from records import gate
from safeguards.models import Desk

from .models import Complaint

# The complaint's own text and the desk's: each loses the erased member's values, wherever
# they appear (an anonymous complaint naming her, an answer that does).
TEXTS = ("what_happened", "what_wanted", "response", "root_cause", "corrective_action_taken")
COMPLAINT = "complaints.complaint"


def candidates(*, identity: Identity, by=None, **_kwargs) -> list[Candidate]:
    """Receiver of `disclosure.signals.erasure_candidates`: the complaints not linked to the
    member whose name or 記号・番号 agrees with `identity` (anonymous ones too), for the officer
    (`by`) to confirm, each shown a read of the complaints desk's in the trail."""
    found = []
    for complaint in (
        Complaint.objects.filter(member__isnull=True, identity_digest="")
        .exclude(name="", member_number="")
        .order_by("received_at", "pk")
    ):
        matched, differs = identity.compare(
            Identity.of(
                name=complaint.name,
                symbol=complaint.member_symbol,
                number=complaint.member_number,
            )
        )
        if matched:
            found.append(
                Candidate(
                    key=f"{COMPLAINT}:{complaint.pk}",
                    kind=str(Complaint._meta.verbose_name),
                    receipt=complaint.receipt_number,
                    state=complaint.get_state_display(),
                    received_at=complaint.received_at,
                    shown=(
                        (_("氏名"), complaint.name or _("（匿名）")),
                        (
                            _("記号・番号"),
                            f"{complaint.member_symbol}-{complaint.member_number}"
                            if complaint.member_number
                            else "—",
                        ),
                        (_("申出の内容"), complaint.what_happened[:80]),
                    ),
                    matched=tuple(matched),
                    differs=tuple(differs),
                )
            )
    if by is not None and found:
        shown = Complaint.objects.filter(pk__in=[int(c.key.split(":")[1]) for c in found])
        desk = gate.open_desk(user=by, desk=Desk.Code.COMPLAINTS, surface=gate.Surface.ADMIN)
        list(gate.filings(desk, shown))
    return found


def member_erasing(
    *, member, by, reference: str, person: Person, confirmed=(), **_kwargs
) -> dict[str, list]:
    """Receiver of `disclosure.signals.member_erasing`, in the erasure's transaction: the linked
    complaints and those the officer confirmed as the member's reduced to their digest, every
    complaint's text redacted; returns the values the reduced complaints held."""
    ids = sorted(int(key.split(":")[1]) for key in confirmed if key.startswith(f"{COMPLAINT}:"))
    theirs = list(
        Complaint.objects.select_for_update()
        .filter(Q(member=member) | Q(pk__in=ids))
        .order_by("pk")
    )
    if any(complaint.is_open for complaint in theirs):
        raise ValidationError(
            _(
                "この加入者に関する処理中の苦情があります。先にそれらを完了してから"
                "消去してください。"
            )
        )
    values: dict[str, list] = {
        "names": [c.name for c in theirs],
        "numbers": [(c.member_symbol, c.member_number, "") for c in theirs],
        "phones": [c.phone for c in theirs],
        "emails": [c.email for c in theirs],
        "addresses": [c.address for c in theirs],
    }
    person = person.plus(**values)
    for complaint in theirs:
        filing.reduce(
            complaint,
            by=by,
            action=Action.COMPLAINTS_FILING_REDUCED,
            details={"reference": reference},
        )
    for row in Complaint.objects.filter(may_name(person, TEXTS)).values("pk", *TEXTS).iterator():
        redacted = {name: person.redact(row[name])[0] for name in TEXTS}
        changed = sorted(name for name in TEXTS if redacted[name] != row[name])
        if changed:
            Complaint.objects.filter(pk=row["pk"]).update(**redacted)
            trail.append(
                action=Action.COMPLAINTS_COMPLAINT_REDACTED,
                actor=trail.actor_for(by),
                target_type=Complaint._meta.label_lower,
                target_id=row["pk"],
                details={"fields": changed, "reference": reference},
            )
    return values
