"""What the retention schedule says has fallen due on a day, and what a pending matter holds.

Counts and ids only: nothing here reads a record's title or contents. The records are counted
unscoped, as the erasure that follows deletes them: no person reads them (DESIGN, invariant 1
governs reads of personal data for a person).

A record is due once its category's period (`purposes.Category.kept_until`, as query bounds by
`due_cutoffs`) ended before the day. It is held, and kept, while its member has a request not
yet finished or a complaint not yet closed, or while an incident not yet closed concerns its
category: the matter may need it (the disclosure asked for, the facts of a complaint or a leak).
A former member is erased whole once the period of 資格 (eligibility, from the loss of
membership) ended, when nothing of theirs is left or due, and nothing holds them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from complaints.models import Complaint
from disclosure.models import Request
from purposes.models import Category
from records.models import Member, Record, ThirdPartyProvision
from records.services.provisions import provision_kept_until
from safeguards.models import Incident

from .models import DisposalHold

Reason = DisposalHold.Reason
FINISHED_REQUESTS = (Request.State.CLOSED, Request.State.WITHDRAWN, Request.State.REJECTED)
FINISHED_COMPLAINTS = (Complaint.State.CLOSED, Complaint.State.WITHDRAWN)
# The category whose period runs from the loss of membership and takes the member row with it.
ELIGIBILITY = "eligibility"


def due_condition(category: Category, today: datetime.date) -> Q | None:
    """The records of `category` whose period ended before `today`; None if none can be."""
    by_record, by_loss = category.due_cutoffs(today)
    condition = None
    if by_record is not None:
        condition = Q(date__lte=by_record)
    if by_loss is not None:
        lost = Q(member__lost_on__lte=by_loss)
        condition = lost if condition is None else condition | lost
    return condition


def due_records(category: Category, today: datetime.date) -> QuerySet[Record]:
    condition = due_condition(category, today)
    if condition is None:
        return Record.objects.none()
    return Record.objects.filter(condition, category=category)


@dataclass
class Holds:
    """Who and what a pending matter holds: members by the matter (reason, id), categories
    by the incident."""

    members: dict[int, tuple[str, int]] = field(default_factory=dict)
    categories: dict[int, int] = field(default_factory=dict)  # category id -> incident id

    def reason_for(self, member_id: int, category_id: int) -> tuple[str, int] | None:
        if member_id in self.members:
            return self.members[member_id]
        if category_id in self.categories:
            return Reason.INCIDENT, self.categories[category_id]
        return None


def pending_holds() -> Holds:
    holds = Holds()
    for pk, member_id in (
        Request.objects.filter(member__isnull=False)
        .exclude(state__in=FINISHED_REQUESTS)
        .values_list("pk", "member_id")
        .order_by("pk")
    ):
        holds.members.setdefault(member_id, (Reason.REQUEST, pk))
    for pk, member_id in (
        Complaint.objects.filter(member__isnull=False)
        .exclude(state__in=FINISHED_COMPLAINTS)
        .values_list("pk", "member_id")
        .order_by("pk")
    ):
        holds.members.setdefault(member_id, (Reason.COMPLAINT, pk))
    for pk, category_id in (
        Incident.categories.through.objects.exclude(incident__state=Incident.State.CLOSED)
        .values_list("incident_id", "category_id")
        .order_by("incident_id")
    ):
        holds.categories.setdefault(category_id, pk)
    return holds


@dataclass
class Due:
    """What a run would erase on `today`: per category the due record ids by member, what is
    held (reason, matter, member, category -> records), and the members erased whole."""

    today: datetime.date
    records: dict[Category, dict[int, list[int]]] = field(default_factory=dict)
    held: dict[tuple[str, int | None, int | None, int | None], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    held_by_category: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    members: list[int] = field(default_factory=list)

    @property
    def four_eyes(self) -> bool:
        """A second privacy officer approves a run that erases 要配慮個人情報, or a member whole
        (as a request's whole erasure: `disclosure.erasure`)."""
        return bool(self.members) or any(
            c.sensitive for c, by_member in self.records.items() if by_member
        )


def compute(today: datetime.date) -> Due:
    """Read the schedule for `today`: ids and counts only."""
    holds = pending_holds()
    due = Due(today=today)
    conditions = {}
    for category in Category.objects.filter(retention_years__isnull=False):
        condition = due_condition(category, today)
        if condition is None:
            continue
        conditions[category.pk] = condition
        by_member: dict[int, list[int]] = {}
        rows = (
            Record.objects.filter(condition, category=category)
            .values_list("pk", "member_id")
            .order_by("member_id", "pk")
        )
        for pk, member_id in rows:
            if held := holds.reason_for(member_id, category.pk):
                due.held[(held[0], held[1], member_id, category.pk)] += 1
                due.held_by_category[category.pk] += 1
            else:
                by_member.setdefault(member_id, []).append(pk)
        due.records[category] = by_member
    due.members = _former_members(today, due, holds, conditions)
    return due


def _former_members(today, due: Due, holds: Holds, conditions: dict[int, Q]) -> list[int]:
    """Former members whose 資格 period ended, with no record left that is not going now."""
    eligibility = Category.objects.filter(code=ELIGIBILITY, retention_years__isnull=False).first()
    if eligibility is None:
        return []
    _by_record, by_loss = eligibility.due_cutoffs(today)
    if by_loss is None:
        return []
    going = Q(pk__in=[])
    for category_id, condition in conditions.items():
        going |= Q(condition, category_id=category_id)
    kept = Record.objects.filter(member=OuterRef("pk")).exclude(going)
    candidates = (
        Member.objects.filter(lost_on__lte=by_loss)
        .exclude(Exists(kept))
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    held_records = {member_id for _r, _m, member_id, _c in due.held}
    with_dependents = set(
        Member.objects.filter(insured__in=candidates).values_list("insured_id", flat=True)
    )
    provisions = defaultdict(list)
    for member_id, provided_on in ThirdPartyProvision.objects.filter(
        member__in=candidates
    ).values_list("member_id", "provided_on"):
        provisions[member_id].append(provided_on)
    erased = []
    for member_id in candidates:
        if member_id in holds.members:
            reason, matter = holds.members[member_id]
            due.held.setdefault((reason, matter, member_id, None), 0)
        elif member_id in with_dependents:
            due.held.setdefault((Reason.DEPENDENTS, None, member_id, None), 0)
        elif any(provision_kept_until(day) > today for day in provisions[member_id]):
            due.held.setdefault((Reason.PROVISION, None, member_id, None), 0)
        elif member_id not in held_records:
            erased.append(member_id)
    return erased
