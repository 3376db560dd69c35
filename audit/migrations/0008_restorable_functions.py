"""The trail's functions no longer depend on the caller's search path, so that a dump restores.

`pg_dump` writes, and `psql`/`pg_restore` replay, with an empty search path. Restoring
`audit_event` computes the generated column `canonical` (0007) for every row, and
`audit_event_bytes` called `audit_event_canonical` by its bare name: under an empty path it
does not exist, the table is not created, and a backup came back without its trail.

- `audit_event_bytes` names `public.audit_event_canonical`. A SQL body, not a `SET
  search_path`: its few other names (`convert_to`) are built-ins, which PostgreSQL looks up in
  `pg_catalog` first whatever the path. The bytes it computes do not change, so the stored
  column stays as it is and the chain verifies as before.
- `audit_event_canonical` is left alone: it names built-ins only, and a `SET` clause would stop
  the planner inlining it into the thorough verifier's query (three times the cost, 0006).
- The PL/pgSQL functions (`audit_append`, the append-only trigger's `audit_event_refuse_change`)
  pin `search_path = pg_catalog, public`: PL/pgSQL resolves names when it runs, so only a
  pinned path makes them independent of the session that calls them.

`audit.tests.test_search_path` scans the catalog for any function of ours that still depends
on the caller's path; `audit.verify` compares `audit_event_bytes` with the source below.
"""

from importlib import import_module

from django.db import migrations

BYTES = """
    CREATE OR REPLACE FUNCTION audit_event_bytes(
        seq bigint, at timestamptz, actor_kind text, actor_id bigint, action text,
        target_type text, target_id text, purpose text, details jsonb, prev_hash text
    ) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT convert_to(public.audit_event_canonical(
            seq, at, actor_kind, actor_id, action, target_type, target_id, purpose, details,
            prev_hash
        ), 'UTF8')
    $$
"""

PINNED = [
    "audit_append(timestamptz, text, bigint, text, text, text, text, jsonb)",
    "audit_event_refuse_change()",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BYTES, params=None)
        for function in PINNED:
            schema_editor.execute(
                f"ALTER FUNCTION {function} SET search_path = pg_catalog, public", params=None
            )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        previous = import_module("audit.migrations.0007_canonical_bytes_in_each_row").BYTES
        schema_editor.execute(
            previous.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"), params=None
        )
        for function in PINNED:
            schema_editor.execute(f"ALTER FUNCTION {function} RESET search_path", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_canonical_bytes_in_each_row")]
    operations = [migrations.RunPython(install, uninstall)]
