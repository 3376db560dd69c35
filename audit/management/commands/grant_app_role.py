"""`manage.py grant_app_role ROLE`: let the app's database role do what the app does, and on
the audit trail only read and append (PostgreSQL).

Run it as the role that owns the tables, the one that runs `migrate`, after every migrate:
grants name the tables that exist. Safe to run again. Refuses on SQLite, for a role that does
not exist or that no grant limits (a superuser, an owner), and when run by a role that does
not own the tables. The work is in `audit.grants`.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audit.grants import GrantRefused, grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the app's database role SELECT, INSERT, UPDATE and DELETE on every table, and "
        "only SELECT and INSERT on the audit trail (PostgreSQL; run as the tables' owner)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the existing database role the app connects as")

    def handle(self, *args, role: str, **options):
        try:
            granted = grant_app_role(role=role)
        except GrantRefused as error:
            raise CommandError(f"nothing granted: {error}") from error
        except DatabaseError as error:
            raise CommandError(f"nothing granted: the database refused: {error}") from error
        self.stdout.write(
            f"granted {granted.role!r} SELECT, INSERT, UPDATE, DELETE on {granted.tables} tables "
            f"and USAGE, SELECT on {granted.sequences} sequences in schema {granted.schema!r}; "
            f"on the trail ({', '.join(granted.trail)}) only SELECT and INSERT "
            f"(event #{granted.event.seq})"
        )
