"""Verify the audit trail: check every event's hash and link, and name the first that does not fit.

Reads only. On PostgreSQL a fast check runs first; where it cannot vouch for every event,
one of two thorough verifiers answers, and both give the same answer in the same words:

- The fast check (`fast`, PostgreSQL, the default there): `audit._scan`, in C, streams the
  events in two halves from one snapshot on two connections and hashes each event's stored
  canonical bytes (the column the database generates from the event's columns, migration
  0007) as they arrive, checking seq and link too. It only says yes: at the first event
  that does not fit, or if it was not built, or if the catalog shows the generated column
  altered, it hands over to the thorough verifier, which finds the event again and
  explains it.
- In the database (`thorough`, PostgreSQL): one query recomputes every hash from the
  columns with `audit_event_canonical` and `sha256` (in parallel workers), and every link
  and seq with `lag()`, and brings back only the first event that does not fit, or the
  last one. It trusts the server's SHA-256 and its encoding of the events, as the fast
  check trusts the server's encoding and OpenSSL's SHA-256.
- In Python (`independent`: `independent=True`, and always on SQLite): it walks the rows in
  seq order and recomputes everything with `audit.trail.canonical_bytes` and `hashlib`, so
  it trusts nothing of the server but the rows. It is the reference, and the auditors'
  independent check. It streams the rows in chunks, so its memory stays flat however long
  the trail grows.

Both thorough verifiers explain a break in the same words, in Python (`breaks`). What none
can see from inside the database (a cut-off tail, a history rewritten with recomputed
hashes) a signed checkpoint catches: see `audit.checkpoint`.
"""

from django.db import connection

from . import fast, thorough
from .breaks import Kind, Problem, Report
from .independent import in_python

__all__ = ["Kind", "Problem", "Report", "verify_chain"]


def verify_chain(*, independent: bool = False, chunk_size: int = 10_000) -> Report:
    """Recompute every event's hash and link, from #1 up; report the first that does not fit.

    `independent` verifies in Python even on PostgreSQL; `chunk_size` is the number of rows
    it holds in memory at a time.
    """
    if connection.vendor == "postgresql" and not independent:
        return fast.scanned() or thorough.in_database()
    return in_python(chunk_size)
