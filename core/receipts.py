"""Receipt numbers and status tokens: one scheme for requests and for complaints.

A filing from the public gets a receipt number to quote (`YYMMDD-NNNNNN`, with a prefix
where another desk's numbers must not be mistaken for a request's on the phone) and a
secret token that opens its status page. The token is shown and mailed once and stored
only as its SHA-256: a random 256-bit token has entropy enough that an unsalted fast hash
is safe to keep. Nothing here reads personal data.
"""

import datetime
import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from .filing import PublicFiling


def new_receipt_number(model: type[models.Model], *, on: datetime.date, prefix: str = "") -> str:
    """A receipt number for a filing received `on`, not yet used in `model.receipt_number`.

    The caller saves it in its transaction; the field's unique constraint refuses the rare
    number that two filings drew at once.
    """
    while True:
        number = f"{prefix}{on:%y%m%d}-{secrets.randbelow(10**6):06d}"
        if not model._default_manager.filter(receipt_number=number).exists():
            return number


def is_receipt_number(text: str, *, prefix: str = "") -> bool:
    """Whether `text` has the form `new_receipt_number` gives: anything else (a NUL byte,
    which PostgreSQL refuses in a query) is answered as an unknown number."""
    return re.fullmatch(rf"{re.escape(prefix)}[0-9]{{6}}-[0-9]{{6}}", text) is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(filing: "PublicFiling | None", token: str) -> bool:
    """Whether `token` opens `filing`'s status page (None: an unknown receipt number)."""
    return filing is not None and hmac.compare_digest(filing.token_hash, hash_token(token))
