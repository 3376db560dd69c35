"""A limit on tries per client in a window, for the public pages that check a secret or
take files.

The status pages of requests and complaints open with a secret token, and a disclosure
package with the birth date typed again: a client may try a few times in a window, so that
neither can be found by guessing (a technical safeguard, notice section 2). The request
form's uploads count against the same kind of limit, one try per mebibyte stored
(`take_many`), so that no client without an account fills the disk.

The tries are kept in the shared cache (the database cache: every app server sees them) as
one key per try, each taken with `add`, which is atomic on every backend. A counter would
not do: `incr` on the database cache reads and writes back, so parallel guesses lose counts,
and its write resets the key's expiry to the cache's default timeout, shortening the window.

Holds no personal data and looks nothing up: the caller checks the secret and gives a try
back when it was right (the owner opening their own page is no guess).

`client_address` says who the client is, for these limits and for the sign-in lockout
(django-axes, `AXES_CLIENT_IP_CALLABLE`) alike.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The address that a limit or a lockout counts a client's tries against.

    REMOTE_ADDR, unless the site runs behind `PROXY_COUNT` reverse proxies, each of which
    appends the address it received from to X-Forwarded-For: then the entry the outermost
    one appended. The entries left of it are whatever the client sent; trusting them would
    let a guesser take a fresh address for every try, and ignoring the header behind a proxy
    would count every client as the proxy, so that one guesser locks everyone out.
    """
    if proxies := settings.PROXY_COUNT:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [entry.strip() for entry in forwarded if entry.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Limit:
    """`attempts` tries per client in `window_seconds`, counted apart under `scope`."""

    scope: str
    attempts: int = 10
    window_seconds: int = 15 * 60

    def take(self, client: str) -> str | None:
        """One of `client`'s tries (a cache key), held for the window; None when none is left.

        Take it before checking the secret, so parallel guesses cannot pass the check
        together; give it back with `give_back` when the secret was right.
        """
        keys = [f"ratelimit:{self.scope}:{client}:{n}" for n in range(self.attempts)]
        taken = cache.get_many(keys)
        # `add` refuses a key that another request took since get_many: then try the next one.
        return next(
            (key for key in keys if key not in taken and cache.add(key, True, self.window_seconds)),
            None,
        )

    def take_many(self, client: str, count: int) -> list[str] | None:
        """`count` of `client`'s tries at once, or none of them (None) when fewer are left."""
        if count <= 0:
            return []
        keys = [f"ratelimit:{self.scope}:{client}:{n}" for n in range(self.attempts)]
        taken = cache.get_many(keys)
        held: list[str] = []
        for key in keys:
            if len(held) == count:
                break
            if key not in taken and cache.add(key, True, self.window_seconds):
                held.append(key)
        if len(held) < count:
            cache.delete_many(held)
            return None
        return held

    @staticmethod
    def give_back(key: str) -> None:
        """Return a try that turned out to be no guess."""
        cache.delete(key)
