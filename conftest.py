"""Project-wide pytest configuration: database-specific markers."""

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    # CI runs the suite on both databases; these tests exercise PostgreSQL behaviour
    # (row locks under concurrent writers) that SQLite, one writer at a time, has not.
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
