"""The status page's lookup: a receipt number and its secret token, or nothing.

A wrong token and an unknown receipt number get the same answer, so the page cannot be used
to learn which numbers exist; and each client may try only a few times in a window, so the
token (256 bits) cannot be guessed by trying either.
"""

from django.core.cache import cache

from disclosure.services import token_matches

from .models import Complaint

ATTEMPTS = 10
WINDOW_SECONDS = 15 * 60


def _key(client: str) -> str:
    return f"complaints:status:{client}"


def allowed(client: str) -> bool:
    """Whether `client` (its address) may try again now."""
    return cache.get(_key(client), 0) < ATTEMPTS


def find(*, client: str, receipt_number: str, token: str) -> Complaint | None:
    """The complaint that the pair opens; a failure counts against `client`'s attempts."""
    complaint = Complaint.objects.filter(receipt_number=receipt_number).first()
    if token_matches(complaint, token):
        return complaint
    # add() then incr(): the first failure starts the window, later ones do not extend it.
    cache.add(_key(client), 0, WINDOW_SECONDS)
    cache.incr(_key(client))
    return None
