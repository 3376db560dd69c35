"""A cheaper `audit_event_canonical`, so that `verify` hashes a million events in about a second.

The bytes do not change: this is the encoding of `audit.trail.canonical_bytes` as 0005 wrote
it (the test in `test_canonical` holds the two to each other), and a chain written before
this migration verifies after it. What changes is how PostgreSQL computes them, measured on
a million events, per event, on one core:

- The fast path checks only the five free strings (actor_kind, action, target_type,
  target_id, purpose) for a character that JSON escapes, not `prev_hash` too: the regex was
  a fifth of the function's cost, and most of it went on the 64 characters of a hash. A
  `prev_hash` that is not hexadecimal (only a tampered row has one) may then be written
  unescaped, which `verify` cannot be fooled by: such a row never links to the event
  before it, whose hash `verify` has just recomputed, so it is reported whatever its text.
- `||` throughout, which measured cheaper than `concat()` or `format()`.
- It stays STABLE, not IMMUTABLE: `to_char` is STABLE, and PostgreSQL inlines a SQL function
  only if it is declared no less volatile than its body. Declared IMMUTABLE it is no longer
  inlined and costs three times as much. PARALLEL SAFE, so that `verify` can hash in
  parallel workers (see `audit.verify`).
"""

from importlib import import_module

from django.db import migrations

CANONICAL = """
    CREATE OR REPLACE FUNCTION audit_event_canonical(
        seq bigint, at timestamptz, actor_kind text, actor_id bigint, action text,
        target_type text, target_id text, purpose text, details jsonb, prev_hash text
    ) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE
            WHEN actor_kind || action || target_type || target_id || purpose ~ '[\\\\"\\x01-\\x1f]'
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


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CANONICAL, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("audit.migrations.0005_chain_in_the_database").CANONICAL
        schema_editor.execute(
            previous.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"), params=None
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_in_the_database")]
    operations = [migrations.RunPython(install, uninstall)]
