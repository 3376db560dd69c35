"""The ledger: what a request (or a `with gate.ledger():` block) read through the gate and
was refused, and the `access.read` and `access.refused` events it appends for them.

It keeps ids, category codes and counts, never a personal value (DESIGN, invariant 3). The
reads' events are appended inside the reads' transaction, the refusals' after it, so that
a rollback never loses a refusal and never keeps a read that did not happen.
"""

import contextvars
import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from audit.trail import PUBLIC, actor_for, append
from audit.vocabulary import Action
from purposes.models import Category
from records.models import (
    Consent,
    Member,
    Protection,
    Record,
    Restriction,
    ThirdPartyProvision,
)
from safeguards.models import StatutoryAccessReason

from .access import Access

if TYPE_CHECKING:
    from .filings import DeskAccess


# The annotation by which the gated querysets read, with each record or member, whether the
# member is protected (`records.gate.querysets`); `Ledger.note` reads it.
PROTECTED = "gate_protected"


@dataclasses.dataclass
class _Reads:
    member_ids: set[int] = dataclasses.field(default_factory=set)
    category_ids: set[int] = dataclasses.field(default_factory=set)
    rows: int = 0
    filings: dict[str, set[int]] = dataclasses.field(default_factory=dict)  # by model name
    # Members whose protection was read with their row (the gated querysets' `PROTECTED`),
    # and those of them protected: `_protected` asks the database about the others only.
    checked: set[int] = dataclasses.field(default_factory=set)
    protected: set[int] = dataclasses.field(default_factory=set)


class Ledger:
    """What one request (or one `with ledger():` block) read through the gate, and refused."""

    def __init__(self) -> None:
        self.reads: dict[Access | DeskAccess, _Reads] = {}
        self.refusals: list[dict[str, Any]] = []

    def note(self, access: "Access | DeskAccess", rows: Sequence[object]) -> None:
        """Note `rows` as read under `access`: model instances, or a values() query's rows
        (counted only)."""
        if not rows:
            return
        reads = self.reads.setdefault(access, _Reads())
        reads.rows += len(rows)
        for row in rows:
            if not isinstance(access, Access):  # a desk's filings (`records.gate.filings`)
                if isinstance(row, models.Model):
                    reads.filings.setdefault(str(row._meta.model_name), set()).add(row.pk)
                    member_id = getattr(row, "member_id", None)
                    if member_id is not None:
                        reads.member_ids.add(member_id)
            elif isinstance(row, Member):
                reads.member_ids.add(row.pk)
                _checked(reads, row, row.pk)
                if access.subject is None:  # a subject's own row reads no category
                    reads.category_ids |= access.category_ids
            elif isinstance(row, Record | Restriction | ThirdPartyProvision):
                reads.member_ids.add(row.member_id)
                _checked(reads, row, row.member_id)
                if row.category_id is not None:
                    reads.category_ids.add(row.category_id)
            elif isinstance(row, Consent | Protection):  # about the member, in no category
                reads.member_ids.add(row.member_id)
            elif isinstance(row, models.Model):
                raise TypeError(f"the ledger cannot note a {type(row).__name__}'s member")

    def refuse(self, *, user, surface: str, purpose: str, reason: str, desk: str = "") -> None:
        self.refusals.append(
            {"user": user, "surface": surface, "purpose": purpose, "reason": reason, "desk": desk}
        )

    def abandon(self) -> None:
        """Forget the reads and roll back the ledger's transaction (the request failed)."""
        self.reads.clear()
        transaction.set_rollback(True)

    def append_reads(self) -> None:
        for access, reads in self.reads.items():
            if not isinstance(access, Access):
                self._append_desk_read(access, reads)
                continue
            codes = dict(access.category_codes)  # as the register published them
            missing = reads.category_ids - codes.keys()  # a category added since: rare
            if missing:
                codes |= dict(Category.objects.filter(id__in=missing).values_list("id", "code"))
            details = {
                "surface": access.surface,
                "members": sorted(reads.member_ids),
                "categories": sorted(codes[i] for i in reads.category_ids),
                "rows": reads.rows,
            }
            if access.duty:
                details["duty"] = access.duty
            if access.statutory:
                details |= {"statutory": True, "ground": access.statutory.ground}
                if access.statutory.condition_confirmed:  # items (ii)-(iv), (vi)
                    details["condition"] = True
            details |= _protected(reads)
            event = append(
                action=Action.RECORDS_ACCESS_READ,
                actor=actor_for(access.user),
                # A subject's read is logged under what they filed (the request).
                target=access.subject.filing if access.subject else None,
                purpose=access.purpose_code,
                details=details,
            )
            if access.statutory:
                StatutoryAccessReason.objects.create(
                    event_seq=event.seq,
                    ground=access.statutory.ground,
                    reason=access.statutory.reason,
                )
        self.reads.clear()

    @staticmethod
    def _append_desk_read(access: "DeskAccess", reads: _Reads) -> None:
        append(
            action=Action.RECORDS_ACCESS_READ,
            actor=actor_for(access.user),
            # A subject's filings (`subject_desk`) are read under what they filed (the request).
            target=access.subject.filing if access.subject else None,
            details={
                "surface": access.surface,
                "desk": access.desk,
                "members": sorted(reads.member_ids),
                "categories": [],
                "rows": reads.rows,
                "filings": {name: sorted(ids) for name, ids in sorted(reads.filings.items())},
            }
            | _protected(reads),
        )

    def append_refusals(self) -> None:
        for refusal in self.refusals:
            append(
                action=Action.RECORDS_ACCESS_REFUSED,
                # A visitor not signed in (the API without a token) is the public.
                actor=actor_for(refusal["user"] if refusal["user"].is_authenticated else PUBLIC),
                purpose=refusal["purpose"],
                details={"surface": refusal["surface"], "reason": refusal["reason"]}
                | ({"desk": refusal["desk"]} if refusal["desk"] else {}),
            )
        self.refusals.clear()


_ledger: contextvars.ContextVar[Ledger] = contextvars.ContextVar("gate_ledger")


def current_ledger() -> Ledger:
    """The ledger open in this context: opening notes its refusals in it, querysets their rows."""
    try:
        return _ledger.get()
    except LookupError:
        raise RuntimeError(
            "gated rows read outside a ledger: use GateLedgerMiddleware or `with gate.ledger():`"
        ) from None


@contextmanager
def ledger() -> Iterator[Ledger]:
    """Read through the gate inside one transaction that ends with the access events.

    Refusals are appended after the transaction, in their own (or in the request's around
    it, `records.middleware.RequestTransactionMiddleware`), so that they are kept even when
    the block fails and rolls back.
    """
    current = Ledger()
    token = _ledger.set(current)
    try:
        with transaction.atomic():
            yield current
            current.append_reads()
    finally:
        _ledger.reset(token)
        current.append_refusals()


def _checked(reads: _Reads, row: models.Model, member_id: int) -> None:
    """Note whether the row's member is protected, where the row was read with it."""
    protected = row.__dict__.get(PROTECTED)
    if protected is not None:
        reads.checked.add(member_id)
        if protected:
            reads.protected.add(member_id)


def _protected(reads: _Reads) -> dict[str, list[int]]:
    """The protected members among those read (DV and the like; `records.Protection`): the
    access review lists every read of them for the 監事. Read with the rows where the gated
    querysets carried it (`PROTECTED`: a page of records or members), else asked here."""
    protected = reads.protected | Protection.objects.member_ids(reads.member_ids - reads.checked)
    return {"protected": sorted(protected)} if protected else {}
