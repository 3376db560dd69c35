"""What people file, read through the gate: requests, complaints, identity documents and
letters, for the staff of the desk that handles them (`safeguards.Desk`).

A filing is personal data as a record is (DESIGN, invariant 1), so it is read the same way:
`open_desk(user=, desk=)` checks that the desk is in the user's scope (granted like a
category, or held by the privacy officer through the role) and refuses with `OutOfDesk`,
audited, otherwise; `filings(access, rows)` hands out the rows as a `GatedQuerySet` that
notes each one it fetches in the request's ledger, so a page that read filings appends one
`access.read` event naming the desk, the rows by model and the members they are linked to.
Domain-neutral: the desks' models are passed in, never imported (they sit above `records`).
"""

import dataclasses

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from safeguards.models import Desk
from safeguards.scopes import handles_desk
from safeguards.standing import handling_refusal

from ..models import Member
from .access import Access, Subject, Surface
from .ledgers import current_ledger
from .opening import AccessRefused, StandingLapsed
from .querysets import GatedQuerySet


@dataclasses.dataclass(frozen=True)
class DeskAccess:
    """What one surface may read of one desk's filings for one user."""

    user: AbstractBaseUser
    surface: str
    desk: str  # a Desk.Code
    # Set by `subject_desk` only: the one person whose filings are read, and the filing
    # (the request) the read is logged under.
    subject: Subject | None = None

    def on_surface(self, surface: str) -> "DeskAccess":
        return dataclasses.replace(self, surface=surface)


class OutOfDesk(AccessRefused):
    reason = "out_of_desk"

    def __init__(self, desk: str):
        super().__init__(
            _(
                "あなたには「%(desk)s」の担当が割り当てられていないため、ここに届いた申出は"
                "閲覧できません。必要な場合は個人情報取扱責任者に窓口の担当の割当てを依頼して"
                "ください。"
            )
            % {"desk": Desk.Code(desk).label}
        )


def may_handle(user, desk: str) -> bool:
    """Whether `user` holds the desk: a question, neither a read nor a refusal."""
    return handles_desk(user, desk)


def open_desk(*, user, desk: str, surface: str = Surface.ADMIN) -> DeskAccess:
    """The access to `desk`'s filings for `user`, or a refusal, audited (`access.refused`):
    `OutOfDesk`, or `StandingLapsed` for staff of the desk without a pledge or with lapsed
    training, as for records."""
    refusal: AccessRefused | None = None
    if not handles_desk(user, desk):
        refusal = OutOfDesk(desk)
    elif lapsed := handling_refusal(user, on=timezone.localdate()):
        refusal = StandingLapsed(lapsed)
    if refusal is not None:
        current_ledger().refuse(
            user=user, surface=surface, purpose="", reason=refusal.reason, desk=desk
        )
        raise refusal
    return DeskAccess(user=user, surface=surface, desk=desk)


def subject_desk(access: Access, *, desk: str) -> DeskAccess:
    """`desk`'s filings about the one person `access` was opened for (`open_access(subject=)`,
    answering an Art. 32-35 request), whoever reads: the Act asks for all the society holds
    about the person, the complaints kept about them included, not what the staff member's
    desks show. `filings` keeps only that person's rows; the read is logged under the
    request. Nothing else widens: the user's own `open_desk` is unchanged."""
    if access.subject is None:
        raise ValueError("only an access opened for one person reads another desk's filings")
    return DeskAccess(user=access.user, surface=access.surface, desk=desk, subject=access.subject)


def filings(access: DeskAccess, rows: models.QuerySet) -> GatedQuerySet:
    """`rows` (a queryset of a desk's filings, or of their documents or letters) read through
    `access`: lazy, each fetched row noted in the ledger."""
    if access.subject is not None:
        rows = rows.filter(member__in=Member.objects.filter(**dict(access.subject.lookups)))
    gated: GatedQuerySet = GatedQuerySet(model=rows.model, query=rows.query.chain(), using=rows.db)
    return gated.bind(access)
