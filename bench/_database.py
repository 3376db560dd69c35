"""What every benchmark shares: a database of its own on the PostgreSQL server that
DATABASE_URL names, created before the run and dropped after it unless kept for the next.

A benchmark never runs against the database DATABASE_URL names itself: it fills its own
with made-up members, records and events.
"""

import base64
import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def admin(server: str, sql: str, *params) -> list[tuple]:
    """Run one statement on the server's maintenance database, outside any transaction."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        cursor = connection.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def bench_database(name: str, *, reuse: bool = False) -> Iterator[bool]:
    """Point DATABASE_URL at the database `name`, made anew unless `reuse` finds it there.

    Yields whether it was reused (already filled by an earlier run). Without `reuse` it is
    dropped afterwards, whatever holds it.
    """
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server (postgres://...)")
    reused = reuse and bool(admin(server, "SELECT 1 FROM pg_database WHERE datname = %s", name))
    # Its key store beside it (`<name>_keys`, the settings' default) and a key-encryption
    # key of its own: the 要配慮 records it makes are sealed (records.sealing).
    databases = (name, f"{name}_keys")
    if not reused:
        for database in databases:
            admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin(server, f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    os.environ.pop("KEYSTORE_URL", None)
    if not os.environ.get("KUMIAI_KEK"):
        os.environ["KUMIAI_KEK"] = base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        yield reused
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not reuse:
            for database in databases:
                admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
