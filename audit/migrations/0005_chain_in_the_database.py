"""The chain moves into the database: no head row, one round trip per append on PostgreSQL.

The head row and its trigger (0002, 0004) go: every append rewrote that row, which costs a
dead tuple per append and, many appends into one transaction, a version chain that each
append walks. Appenders now serialise on a transaction-level advisory lock and read the last
event by the unique index on `seq`.

On PostgreSQL two functions hold the canonical encoding in SQL, byte for byte the encoding
of `audit.trail.canonical_bytes` (a test holds the two to it):

- `audit_event_canonical(...)`: the text an event's hash covers. A plain SQL expression, so
  the planner inlines it into `verify`'s query, which hashes every event in the database.
- `audit_append(...)`: lock, read the last event, hash, insert, in one statement.

Migration note: this changes the canonical encoding, so a chain written before it no longer
verifies. There was no production trail when it was made; a trail that must survive it has to
be re-chained before, and a new checkpoint signed after.
"""

from importlib import import_module

from django.db import migrations

# Strings are JSON string literals. Those without a quote, a backslash or a control character
# (all that `append` writes in practice) are quoted by concatenation; the rest go through
# json_build_array, which escapes them as Python's json does. Both branches give the same text
# where both apply: the first is only the fast path.
CANONICAL = """
    CREATE FUNCTION audit_event_canonical(
        seq bigint, at timestamptz, actor_kind text, actor_id bigint, action text,
        target_type text, target_id text, purpose text, details jsonb, prev_hash text
    ) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN actor_kind || action || target_type || target_id || purpose || prev_hash
                ~ '[\\\\"\\x01-\\x1f]'
            THEN json_build_array(
                seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                actor_kind, actor_id, action, target_type, target_id, purpose, details, prev_hash
            )::text
            ELSE '[' || seq
                || ', "' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
                || '", "' || actor_kind || '", ' || coalesce(actor_id::text, 'null')
                || ', "' || action || '", "' || target_type || '", "' || target_id
                || '", "' || purpose || '", ' || details::text || ', "' || prev_hash || '"]'
        END
    $$
"""

APPEND = """
    CREATE FUNCTION audit_append(
        p_at timestamptz, p_actor_kind text, p_actor_id bigint, p_action text,
        p_target_type text, p_target_id text, p_purpose text, p_details jsonb
    ) RETURNS TABLE (id bigint, seq bigint, prev_hash text, hash text)
    LANGUAGE plpgsql AS $$
    DECLARE
        last_seq bigint;
        last_hash text;
    BEGIN
        -- Held to the end of the transaction. Keyed by the table's oid, so that no other
        -- user of advisory locks takes it by accident.
        PERFORM pg_advisory_xact_lock('audit_event'::regclass::oid::bigint);
        -- A statement after the lock: in READ COMMITTED it sees the last appender's commit.
        SELECT e.seq, e.hash INTO last_seq, last_hash
        FROM audit_event e ORDER BY e.seq DESC LIMIT 1;
        seq := coalesce(last_seq, 0) + 1;
        prev_hash := coalesce(last_hash, repeat('0', 64));
        hash := encode(sha256(convert_to(audit_event_canonical(
            seq, p_at, p_actor_kind, p_actor_id, p_action, p_target_type, p_target_id,
            p_purpose, p_details, prev_hash
        ), 'UTF8')), 'hex');
        INSERT INTO audit_event AS e (
            seq, at, actor_kind, actor_id, action, target_type, target_id, purpose, details,
            prev_hash, hash
        ) VALUES (
            seq, p_at, p_actor_kind, p_actor_id, p_action, p_target_type, p_target_id,
            p_purpose, p_details, prev_hash, hash
        ) RETURNING e.id INTO id;
        RETURN NEXT;
    END
    $$
"""

POSTGRESQL_INSTALL = [
    "DROP TRIGGER audit_event_advance_head ON audit_event",
    "DROP FUNCTION audit_event_advance_head()",
    CANONICAL,
    APPEND,
]
POSTGRESQL_UNINSTALL = [
    "DROP FUNCTION audit_append(timestamptz, text, bigint, text, text, text, text, jsonb)",
    "DROP FUNCTION audit_event_canonical("
    "bigint, timestamptz, text, bigint, text, text, text, text, jsonb, text)",
]
SQLITE_INSTALL = ["DROP TRIGGER audit_event_advance_head"]


def install(apps, schema_editor):
    statements = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"no append function for {vendor}: appends would fork the chain")
    for sql in statements[vendor]:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRESQL_UNINSTALL:
            schema_editor.execute(sql, params=None)
    # The head trigger comes back with its own migration's statements.
    import_module("audit.migrations.0004_head_follows_insert").install(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_head_follows_insert")]
    operations = [
        migrations.RunPython(install, uninstall),
        migrations.DeleteModel(name="ChainHead"),
    ]
