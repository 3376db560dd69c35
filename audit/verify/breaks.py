"""What a verifier reports, and the wording of a break: which event does not fit, and why.

Every verifier hands the first event that does not fit to `problem`, which names the kind
of break and says it in the same words whichever verifier found it. Rows are tuples in the
order of `independent.COLUMNS`.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from ..models import GENESIS_HASH, Event
from ..trail import canonical_bytes


class Kind(StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    REORDERED = "reordered"
    INSERTED = "inserted"
    CUT_OFF = "cut-off tail"
    REWRITTEN = "rewritten history"
    FORGED = "forged checkpoint"


@dataclass(frozen=True)
class Problem:
    kind: Kind
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


@dataclass(frozen=True)
class Report:
    count: int
    head_seq: int
    head_hash: str
    problem: Problem | None


def problem(row: tuple, expected_seq: int, prev_hash: str, *, intact: bool) -> Problem | None:
    """What is wrong with `row`, where event #`expected_seq` chained to `prev_hash` belongs."""
    if row[0] != expected_seq:
        return _out_of_sequence(row[0], expected_seq)
    if row[9] != prev_hash or not intact:
        return _diagnose(row)
    return None


def report(next_seq: int, head_hash: str, problem: Problem | None) -> Report:
    return Report(next_seq - 1, next_seq - 1, head_hash, problem)


def row_hash(row: tuple, *, seq: int | None = None) -> str:
    return hashlib.sha256(
        canonical_bytes(
            seq=row[0] if seq is None else seq,
            at=row[1],
            actor_kind=row[2],
            actor_id=row[3],
            action=row[4],
            target_type=row[5],
            target_id=row[6],
            purpose=row[7],
            details=row[8],
            prev_hash=row[9],
        )
    ).hexdigest()


def _out_of_sequence(seq: int, expected: int) -> Problem:
    if seq < expected:
        return Problem(Kind.INSERTED, seq, f"event #{seq} comes before the start of the chain (#1)")
    return Problem(
        Kind.MISSING, expected, f"{_span(expected, seq - 1)} missing: the trail jumps to #{seq}"
    )


def _span(first: int, last: int) -> str:
    return f"event #{first} is" if first == last else f"events #{first}-#{last} are"


def _diagnose(row: tuple) -> Problem:
    """Say why the event in `row` does not follow the one before it.

    Runs once, at the first break, so it may query: it looks up the event that `row` names
    as its predecessor and asks at which position the row's content would fit its hash.
    """
    seq, prev_hash, stored_hash = row[0], row[9], row[10]
    named = _seq_of(prev_hash)
    if row_hash(row) == stored_hash:
        # The row is intact; the break is in its link to the row before it.
        if named is None and seq == 1:
            return Problem(Kind.CHANGED, 1, "event #1 does not start from the genesis hash")
        if named is None:
            return Problem(
                Kind.CHANGED,
                seq - 1,
                f"event #{seq} names a predecessor hash that no event has: "
                f"#{seq - 1} was rewritten with a recomputed hash, or #{seq} was forged",
            )
        if named < seq - 1:
            return Problem(
                Kind.INSERTED,
                named + 1,
                f"{_span(named + 1, seq - 1)} not in the chain: #{seq} follows #{named}",
            )
        return Problem(
            Kind.REORDERED, seq, f"event #{seq} follows #{named}, which now comes after it"
        )
    candidates = (named + 1 if named is not None else None, seq + 1, seq - 1)
    written = next(
        (c for c in candidates if c and c != seq and row_hash(row, seq=c) == stored_hash), None
    )
    if written is None:
        return Problem(
            Kind.CHANGED,
            seq,
            f"event #{seq} does not match its hash: its content was altered after it was written",
        )
    if named is not None and named < seq - 1 and written == named + 1:
        return Problem(
            Kind.INSERTED,
            named + 1,
            f"{_span(named + 1, seq - 1)} not in the chain: "
            f"the event now at #{seq} was written as #{written}, right after #{named}",
        )
    if named is None and written > seq:
        return Problem(
            Kind.MISSING,
            seq,
            f"the event before #{seq} was removed and the events after it renumbered: "
            f"the event now at #{seq} was written as #{written}",
        )
    return Problem(Kind.REORDERED, seq, f"event #{seq} was moved: it was written as #{written}")


def _seq_of(hash_: str) -> int | None:
    if hash_ == GENESIS_HASH:
        return 0
    return Event.objects.filter(hash=hash_).values_list("seq", flat=True).first()
