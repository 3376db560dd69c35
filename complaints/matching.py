"""Link a complaint to the member and the request it names, when they match exactly.

The member is matched by the gate (`records.gate.match_insured`), never read here: it
answers the id of the one insured person (本人) with the 記号・番号, or nothing, and leaves
an `access.matched` event against the complaint, the act of the staff member who typed the
number (the system's for the public form). Staff learn whether it linked only where their
own access shows that member (`complaints.admin`). The request is the society's own filing,
found by its receipt number. What either finds is never shown to the complainant (a public
form must not tell anyone whether a 記号・番号 or a receipt number exists); staff see the
member only through the gate, from the member's own page in the records admin.
"""

from audit.trail import By
from disclosure.models import Request
from records import gate

from .models import Complaint


def member_id(*, complaint: Complaint, by: By) -> int | None:
    """The insured person (本人) with the complaint's 記号・番号, when exactly one has it.

    `complaint` must be saved: the gate records the match against it.
    """
    return gate.match_insured(
        symbol=complaint.member_symbol, number=complaint.member_number, target=complaint, by=by
    )


def request_id(receipt_number: str) -> int | None:
    if not receipt_number:
        return None
    return (
        Request.objects.filter(receipt_number=receipt_number).values_list("pk", flat=True).first()
    )
