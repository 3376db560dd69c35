from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from audit.models import Event
from audit.trail import SYSTEM, append
from audit.verify import verify_chain
from audit.vocabulary import Action

WRITERS, APPENDS = 8, 200


def write(writer: int) -> None:
    try:
        for n in range(APPENDS):
            with transaction.atomic():
                append(
                    action=Action.RECORDS_RECORD_CHANGED,
                    actor=SYSTEM,
                    target_type="test.writer",
                    target_id=writer,
                    details={"n": n},
                )
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.postgres_only
def test_concurrent_writers_leave_one_gapless_chain(audit_transactional_db):
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for done in [pool.submit(write, writer) for writer in range(WRITERS)]:
            done.result()  # re-raises a writer's error

    total = WRITERS * APPENDS
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    report = verify_chain()
    assert (report.problem, report.count) == (None, total)
