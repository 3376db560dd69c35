"""The first wall around the audit trail on PostgreSQL: the app's database role may only read
and append to it. The triggers (migration 0003) stay as the second wall.

The role that runs `migrate` owns the tables. The app runs as another role, which gets what
the app needs on every table and sequence of the schema, and on the trail (`audit_event`, and
any partition of it) only SELECT and INSERT. PostgreSQL then refuses that role UPDATE,
DELETE and TRUNCATE on the trail before any trigger fires, and refuses it ALTER TABLE, so it
cannot switch the triggers off either: only an owner or a superuser can, whom no grant
limits (a signed checkpoint catches them, see `audit.checkpoint`).

Must never leave the app role more than SELECT and INSERT on the trail: the grants, a check
of what the role can do afterwards, however it came by it, and the audit event commit together
or not at all. Role and table names enter SQL only through `psycopg.sql.Identifier`.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from psycopg import sql

from .models import Event
from .trail import SYSTEM, PersonalValueRefused, append, keyed_digest, validate_details
from .vocabulary import Action

# `audit_append` (0005) and the functions the generated column `canonical` calls on every
# insert (0006, 0007). PostgreSQL lets PUBLIC execute new functions; granted here as well,
# so that the app keeps appending where an owner has taken that from PUBLIC.
TRAIL_FUNCTIONS = ("audit_append", "audit_event_canonical", "audit_event_bytes")
# The gate's opening (`records.gate.opening`), which every read of personal data runs first:
# granted for the same reason.
GATE_FUNCTIONS = ("gate_opening",)
# What would let the app role change or remove an event, or hang a trigger of its own on the
# trail. Checked after the grants, since PUBLIC or a role it belongs to may give them too.
_CHANGES = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER")


class GrantRefused(Exception):
    """The grants cannot be made, or would not hold; the message says what to fix."""


@dataclass(frozen=True)
class Granted:
    role: str
    schema: str
    tables: int
    sequences: int
    trail: tuple[str, ...]
    event: Event


@dataclass(frozen=True)
class _Schema:
    oid: int
    name: str
    tables: int
    sequences: int
    role_has_usage: bool


def grant_app_role(*, role: str) -> Granted:
    """Let `role` read and write every table of the schema, and only read and append to the trail.

    SELECT, INSERT, UPDATE, DELETE on every table and view, USAGE and SELECT on every sequence,
    EXECUTE on the trail's functions and the gate's opening, USAGE on the schema if it lacks it;
    on `audit_event` and its partitions everything else is revoked, however many times it
    runs. Run it as the owner of the tables after each migrate: grants name the tables that
    exist when they are made. Appends `audit.role_granted` in the same transaction. Raises
    `GrantRefused`.
    """
    if connection.vendor != "postgresql":
        raise GrantRefused(
            f"database roles are PostgreSQL's: on {connection.vendor} there is no role to grant to"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        role_oid = _role_oid(cursor, role)
        schema = _schema(cursor, role_oid, role)
        trail = _trail(cursor, schema)
        for statement in _statements(role, schema, trail):
            cursor.execute(statement.as_string(connection.connection))
        _check_fenced(cursor, role_oid, role, trail)
        event = append(
            action=Action.AUDIT_ROLE_GRANTED,
            actor=SYSTEM,
            target_type="postgresql.role",
            target_id=role_oid,
            details={
                **_identifier("role", role),
                **_identifier("schema", schema.name),
                "tables": schema.tables,
                "sequences": schema.sequences,
                "trail": len(trail),
            },
        )
    return Granted(
        role=role,
        schema=schema.name,
        tables=schema.tables,
        sequences=schema.sequences,
        trail=tuple(name for _, _, name in trail),
        event=event,
    )


def _role_oid(cursor: CursorWrapper, role: str) -> int:
    cursor.execute("SELECT oid, rolsuper FROM pg_roles WHERE rolname = %s", [role])
    found = cursor.fetchone()
    if found is None:
        raise GrantRefused(
            f"no role named {role!r}: create the app's login role first (CREATE ROLE ... LOGIN)"
        )
    oid, superuser = found
    if superuser:
        raise GrantRefused(
            f"{role!r} is a superuser: no grant limits it; give the app a role of its own"
        )
    return oid


# Every relation that GRANT ... ON ALL TABLES / SEQUENCES IN SCHEMA reaches. The role that runs
# this must hold the privileges of each one's owner (own it, or be a member of the owner);
# the app role must hold none of them (it could ALTER the trail, triggers and all).
_SCHEMA = """
    SELECT n.oid, n.nspname,
        count(c.oid) FILTER (WHERE c.relkind <> 'S'),
        count(c.oid) FILTER (WHERE c.relkind = 'S'),
        coalesce(array_agg(c.relname ORDER BY c.relname)
            FILTER (WHERE NOT pg_has_role(current_user, c.relowner, 'USAGE')), '{}'),
        coalesce(bool_or(pg_has_role(%(role)s::oid, c.relowner, 'MEMBER')), false),
        has_schema_privilege(%(role)s::oid, n.oid, 'USAGE'),
        pg_has_role(current_user, n.nspowner, 'USAGE'),
        current_user
    FROM pg_namespace n
    LEFT JOIN pg_class c
        ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    WHERE n.nspname = current_schema()
    GROUP BY n.oid, n.nspname, n.nspowner
"""


def _schema(cursor: CursorWrapper, role_oid: int, role: str) -> _Schema:
    """The schema Django's tables are in (the first of the search path that exists)."""
    cursor.execute(_SCHEMA, {"role": role_oid})
    found = cursor.fetchone()
    if found is None:
        raise GrantRefused("no schema on the search path: there are no tables to grant")
    oid, name, tables, sequences, not_owned, role_owns, usage, owns_schema, user = found
    if not tables:
        raise GrantRefused(f"schema {name!r} has no tables: run migrate first")
    if role_owns:
        raise GrantRefused(
            f"{role!r} owns tables of schema {name!r}, or belongs to the role that does: "
            "no grant limits an owner; give the app a role of its own"
        )
    if not_owned:
        shown = ", ".join(not_owned[:5]) + (", ..." if len(not_owned) > 5 else "")
        raise GrantRefused(
            f"{user!r} does not own {len(not_owned)} of the tables and sequences in schema "
            f"{name!r} ({shown}): run this as the role that owns them, the one that runs migrate"
        )
    if not usage and not owns_schema:
        raise GrantRefused(
            f"{role!r} may not use schema {name!r} and {user!r} cannot let it: have the "
            f"schema's owner GRANT USAGE ON SCHEMA {name} TO the role"
        )
    return _Schema(oid, name, tables, sequences, usage)


# The trail and, the design planning monthly partitions, every partition of it: the app could
# write a partition directly, so each is fenced as the trail is.
_TRAIL = """
    WITH RECURSIVE trail(oid) AS (
        SELECT c.oid FROM pg_class c WHERE c.relnamespace = %s AND c.relname = %s
        UNION
        SELECT i.inhrelid FROM pg_inherits i JOIN trail t ON i.inhparent = t.oid
    )
    SELECT c.oid, n.nspname, c.relname
    FROM trail
    JOIN pg_class c ON c.oid = trail.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    ORDER BY c.relname
"""


def _trail(cursor: CursorWrapper, schema: _Schema) -> list[tuple[int, str, str]]:
    cursor.execute(_TRAIL, [schema.oid, Event._meta.db_table])
    trail = cursor.fetchall()
    if not trail:
        table = Event._meta.db_table
        raise GrantRefused(f"no {table} in schema {schema.name!r}: run migrate first")
    return trail


def _statements(
    role: str, schema: _Schema, trail: list[tuple[int, str, str]]
) -> list[sql.Composable]:
    to = sql.Identifier(role)
    in_schema = sql.Identifier(schema.name)
    # Only where it lacks it: the schema's owner may not be the tables' (PostgreSQL 15's
    # `public` belongs to pg_database_owner), and PUBLIC usually has it already.
    usage = [] if schema.role_has_usage else [sql.SQL("GRANT USAGE ON SCHEMA {} TO {}")]
    statements: list[sql.Composable] = [
        *(statement.format(in_schema, to) for statement in usage),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            in_schema, to
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(in_schema, to),
    ]
    for _, namespace, name in trail:
        table = sql.Identifier(namespace, name)
        # ALL, so that a second run also takes back what someone granted by hand since.
        statements += [
            sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(table, to),
            sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(table, to),
        ]
    statements += [
        sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
            sql.Identifier(schema.name, function), to
        )
        for function in (*TRAIL_FUNCTIONS, *GATE_FUNCTIONS)
    ]
    return statements


_CAN_CHANGE = """
    SELECT c.relname, p.privilege
    FROM pg_class c, unnest(%s::text[]) WITH ORDINALITY AS p(privilege, n)
    WHERE c.oid = ANY(%s::oid[]) AND CASE p.privilege
        WHEN 'UPDATE' THEN has_any_column_privilege(%s::oid, c.oid, 'UPDATE')
        ELSE has_table_privilege(%s::oid, c.oid, p.privilege)
    END
    ORDER BY c.relname, p.n
"""


def _check_fenced(
    cursor: CursorWrapper, role_oid: int, role: str, trail: list[tuple[int, str, str]]
) -> None:
    """Refuse if the role can still change the trail: through PUBLIC, a role it belongs to
    (pg_write_all_data among them), or a grant by someone else, which a REVOKE by the owner
    does not take back."""
    cursor.execute(_CAN_CHANGE, [list(_CHANGES), [oid for oid, _, _ in trail], role_oid, role_oid])
    if left := cursor.fetchall():
        found = ", ".join(f"{privilege} on {table}" for table, privilege in left)
        raise GrantRefused(
            f"{role!r} could still change the trail ({found}), through PUBLIC, a role it "
            "belongs to or another role's grant: revoke that first"
        )


def _identifier(key: str, name: str) -> dict[str, str]:
    """`{key: name}` if the trail takes `name` as an identifier, else a keyed digest of it.

    Role and schema names are identifiers as a rule; one that is not could be anything, so
    the trail gets only what tells the auditors whether two were the same.
    """
    try:
        validate_details(name)
    except PersonalValueRefused:
        return {f"{key}_digest": keyed_digest(name, purpose="kumiai.audit.role_granted")}
    return {key: name}
