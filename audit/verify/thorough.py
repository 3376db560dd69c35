"""The thorough verifier in the database (PostgreSQL): one query finds the first event that
does not fit, or the last, and `breaks` explains it in Python.

It trusts the server's SHA-256 and its encoding of the events.
"""

import json

from django.db import connection, transaction

from ..models import GENESIS_HASH
from .breaks import Report, problem, report

# Two passes in one statement, so one snapshot: the last event is the one the checks saw,
# whatever is appended meanwhile.
#
# - `changed`: the first event whose recomputed hash is not its stored one. Nearly all the
#   work is here (encoding and hashing, about 1.5 us an event on one core), and no event
#   depends on another, so it runs in parallel workers (see `PARALLEL`): a parallel scan,
#   each worker keeping its own minimum. `seq + 0`, because min(seq) alone would be answered
#   by walking the seq index in order, on one core.
# - `links`: each event's seq and prev_hash against the event before it, by `lag()` over
#   the seq index. Window functions never run in a parallel worker, so this pass is serial;
#   it carries only the four narrow columns it needs, and the full row is read for the one
#   event it reports: the first that does not fit, or the last.
_FIRST_BREAK = """
    WITH changed AS MATERIALIZED (
        SELECT min(e.seq + 0) AS seq
        FROM audit_event e
        WHERE encode(sha256(convert_to(audit_event_canonical(
            e.seq, e.at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id,
            e.purpose, e.details, e.prev_hash
        ), 'UTF8')), 'hex') IS DISTINCT FROM e.hash
    )
    SELECT e.seq, e.at, e.actor_kind, e.actor_id, e.action, e.target_type, e.target_id,
        e.purpose, e.details::text, e.prev_hash, e.hash,
        found.seq IS DISTINCT FROM (SELECT seq FROM changed) AS intact,
        found.expected_seq, found.expected_prev_hash
    FROM (
        SELECT id, seq, expected_seq, expected_prev_hash
        FROM (
            SELECT id, seq, prev_hash,
                lag(seq, 1, 0::bigint) OVER previous + 1 AS expected_seq,
                lag(hash, 1, %s) OVER previous AS expected_prev_hash
            FROM audit_event
            WINDOW previous AS (ORDER BY seq)
        ) links
        WHERE seq <> expected_seq OR prev_hash <> expected_prev_hash
            OR seq = (SELECT seq FROM changed)
            OR seq = (SELECT max(seq) FROM audit_event)
        ORDER BY seq
        LIMIT 1
    ) found
    JOIN audit_event e ON e.id = found.id
"""

# For this transaction only: plan the hash pass in parallel whatever the table's size (the
# default costs keep a table this narrow serial up to millions of rows), with two workers at
# least, and without JIT, whose compiling costs more than it saves here.
PARALLEL = """
    SELECT set_config('max_parallel_workers_per_gather',
            greatest(current_setting('max_parallel_workers_per_gather')::int, 2)::text, true),
        set_config('parallel_setup_cost', '0', true),
        set_config('parallel_tuple_cost', '0', true),
        set_config('min_parallel_table_scan_size', '0', true),
        set_config('jit', 'off', true)
"""


def in_database() -> Report:
    # The settings are undone with the savepoint, so that a caller's transaction keeps its own.
    with transaction.atomic(), connection.cursor() as cursor:
        savepoint = transaction.savepoint()
        try:
            cursor.execute(PARALLEL)
            cursor.execute(_FIRST_BREAK, [GENESIS_HASH])
            found = cursor.fetchone()
        finally:
            transaction.savepoint_rollback(savepoint)
    if found is None:
        return report(1, GENESIS_HASH, None)
    *row, intact, expected_seq, prev_hash = found
    row = (*row[:8], json.loads(row[8]), *row[9:])
    if broken := problem(row, expected_seq, prev_hash, intact=intact):
        return report(expected_seq, prev_hash, broken)
    return report(row[0] + 1, row[10], None)
