"""The status page's lookup: a receipt number and its secret token, or nothing.

A wrong token and an unknown receipt number get the same answer, so the page cannot be used
to learn which numbers exist; and each client may try only a few times in a window
(`core.ratelimit`), so the token (256 bits) cannot be guessed by trying either.
"""

from core.ratelimit import Limit
from core.receipts import is_receipt_number, token_matches

from .models import Complaint
from .services import RECEIPT_PREFIX

LIMIT = Limit("complaints.status")


class TooManyAttempts(Exception):
    """The client has used its tries in the window; nothing was looked up."""


def find(*, client: str, receipt_number: str, token: str) -> Complaint | None:
    """The complaint that the pair opens, or None; a failure uses up one of `client`'s tries.

    Raises TooManyAttempts when `client` has none left.
    """
    key = LIMIT.take(client)
    if key is None:
        raise TooManyAttempts
    complaint = (
        Complaint.objects.filter(receipt_number=receipt_number).first()
        if is_receipt_number(receipt_number, prefix=RECEIPT_PREFIX)
        else None
    )
    if token_matches(complaint, token):
        # The complainant looking at their own complaint is no guess.
        LIMIT.give_back(key)
        return complaint
    return None
