"""The status page's lookup: a receipt number and its secret token, or nothing.

A wrong token and an unknown receipt number get the same answer, so the page cannot be used
to learn which numbers exist; and each client may try only a few times in a window, so the
token (256 bits) cannot be guessed by trying either.

The tries are kept in the shared cache (the database cache: every app server sees them) as
one key per try, each taken with `add`, which is atomic on every backend. A counter would
not do: `incr` on the database cache reads and writes back, so parallel guesses lose counts,
and its write resets the key's expiry to the cache's default timeout, shortening the window.
"""

from django.core.cache import cache

from disclosure.services import token_matches

from .models import Complaint

ATTEMPTS = 10
WINDOW_SECONDS = 15 * 60


class TooManyAttempts(Exception):
    """The client has used its tries in the window; nothing was looked up."""


def _take_try(client: str) -> str | None:
    """One of `client`'s (its address's) tries, held for WINDOW_SECONDS; None when none is
    left. A try is taken before the lookup, so parallel guesses cannot pass the check
    together."""
    keys = [f"complaints:status:{client}:{n}" for n in range(ATTEMPTS)]
    taken = cache.get_many(keys)
    # `add` refuses a key that another request took since get_many: then try the next one.
    return next(
        (key for key in keys if key not in taken and cache.add(key, True, WINDOW_SECONDS)), None
    )


def find(*, client: str, receipt_number: str, token: str) -> Complaint | None:
    """The complaint that the pair opens, or None; a failure uses up one of `client`'s tries.

    Raises TooManyAttempts when `client` has none left.
    """
    key = _take_try(client)
    if key is None:
        raise TooManyAttempts
    complaint = Complaint.objects.filter(receipt_number=receipt_number).first()
    if token_matches(complaint, token):
        # The complainant looking at their own complaint is no guess.
        cache.delete(key)
        return complaint
    return None
