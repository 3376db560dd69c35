"""What disclosure tells the apps above it.

`member_erasing` is sent inside the transaction of a whole 消去 (disclosure.erasure), while
the member row still exists and before it is deleted, with `member`, `by` and `reference`
(the request's receipt number). A receiver lets go of its own copies of the member's values
in that transaction; a receiver that raises (a Japanese ValidationError saying what to
finish first) refuses the erasure, which is then rolled back whole.

Why a signal. The erasure is one operation (`services.request_carry_out`) called from the
admin, the moves and the tests; the apps that copied the member's values sit above
disclosure (complaints), and a lower app never imports a higher one. Having a higher layer
orchestrate instead (records returning what it erased, a caller above erasing the rest)
would make every entry point remember a second call, and one that forgets leaves the copies
behind: the signal keeps the operation single and the transaction shared. It is sent with
`send`, never `send_robust`, so that no receiver's failure passes unseen.
"""

import dataclasses

from django.dispatch import Signal

member_erasing = Signal()

# Sent before a whole 消去 with `identity` (`core.traces.Identity`, the member's, 記号・番号
# without 枝番): each receiver returns the filings of its app that may be the member's without
# being linked (`core.traces.Candidate`), for the privacy officer to confirm (disclosure.copies).
# `member_erasing` then carries `person` (`core.traces.Person`, every value of theirs known so
# far) and `confirmed` (the keys the officer confirmed); a receiver redacts its texts with
# `person`, reduces its linked and confirmed filings, and returns the values those filings held
# (keyword arguments of `Person.plus`), so that the copies elsewhere are found by them too.
erasure_candidates = Signal()

# Sent while an Art. 33 package is built (disclosure.package), with `request` and `access`
# (the request's statutory access to its one member, `disclosure.access`): each receiver
# returns a `HeldSection`, what its app keeps about the member (complaints: the complaints),
# read through `records.gate.subject_desk(access, desk=)`, for the package's PDF and
# member.json (APPI Art. 33(1): all the society holds about the person).
member_held = Signal()


@dataclasses.dataclass(frozen=True)
class HeldSection:
    key: str  # member.json's key
    title: str  # the PDF's heading
    columns: dict[str, str]  # a row's key -> its Japanese header
    widths_mm: tuple[int, ...]  # of the PDF's columns, 170 in all
    rows: list[dict[str, str]]
