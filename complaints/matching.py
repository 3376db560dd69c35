"""Link a complaint to the member and the request it names, when they match exactly.

These are lookups of ids, not reads of personal data: they fetch the primary key only,
and what they find is never shown to the complainant (a public form must not tell anyone
whether a 記号・番号 or a receipt number exists). Staff see the member only through the
gate, from the member's own page in the records admin.
"""

from disclosure.models import Request
from records.models import Member


def member_id(*, symbol: str, number: str) -> int | None:
    """The insured person (本人) with this 記号・番号, when exactly one has it."""
    if not (symbol and number):
        return None
    ids = list(
        Member.objects.filter(
            symbol=symbol, number=number, relationship=Member.Relationship.SELF
        ).values_list("pk", flat=True)[:2]
    )
    return ids[0] if len(ids) == 1 else None


def request_id(receipt_number: str) -> int | None:
    if not receipt_number:
        return None
    return (
        Request.objects.filter(receipt_number=receipt_number).values_list("pk", flat=True).first()
    )
