"""The outbox (core.outbox): a mail commits with its state, is tried again with back-off, and
is shown as failed, never lost; neither its body nor its address reaches the logs or the
trail. And the periodic jobs, as the same worker's scheduled tasks (core.schedule)."""

import datetime
import json
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from audit.models import Event
from audit.vocabulary import Action
from core import outbox, schedule
from core.models import OutboxMail

pytestmark = pytest.mark.django_db

BODY = {"template": "safeguards/mail/incident.txt", "context": {"incident": {"pk": 7}}}


def _enqueue(to=("hanako@example.jp",)) -> OutboxMail:
    return outbox.enqueue(subject="【受付番号 R-1】", to=list(to), **BODY)


def test_a_mail_exists_only_if_its_transaction_commits(run_worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the filing failed")

    run_worker()

    assert not OutboxMail.objects.exists() and not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_a_sent_mail_keeps_neither_its_body_nor_its_address(run_worker):
    sent = _enqueue()

    run_worker()
    run_worker()

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"] and "漏えい等事案 #7" in message.body
    sent.refresh_from_db()
    assert (sent.state, sent.body, sent.to, sent.recipients) == ("sent", "", [], 1)


def test_no_address_no_mail():
    assert outbox.enqueue(subject="x", to=[""], **BODY) is None
    assert not OutboxMail.objects.exists()


def test_the_worker_tries_again_with_back_off_then_shows_the_failure(
    settings, smtp_stub, run_worker, wait_is_over, caplog
):
    settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 60, 150
    settings.OUTBOX_MAX_ATTEMPTS = 4
    failing = _enqueue()
    waits = []

    caplog.set_level(logging.WARNING)
    for _attempt in range(4):
        before = timezone.now()
        run_worker()
        failing.refresh_from_db()
        if failing.next_attempt_at:
            waits.append(round((failing.next_attempt_at - before).total_seconds() / 10) * 10)
        wait_is_over()

    # 60 s, doubled, capped at 150 s; the fourth failure is the last.
    assert waits == [60, 120, 150]
    assert (failing.state, failing.attempts) == ("failed", 4)
    assert failing.last_error == "ConnectionRefusedError"
    (event,) = Event.objects.filter(action=Action.CORE_MAIL_FAILED)
    assert (event.actor_kind, event.target_id) == ("system", str(failing.pk))
    assert event.details == {"attempts": 4, "error": "ConnectionRefusedError"}
    # The log says which mail failed, never to whom or what it said.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"outbox mail {failing.pk} not sent (try 4 of 4)" in logged
    assert "example.jp" not in logged and "漏えい" not in logged
    # Nothing more is tried once it has failed: the officer resends it.
    run_worker()
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_resent_mail_is_sent_once_and_the_resend_is_audited(
    settings, smtp_stub, run_worker, wait_is_over, privacy_officer
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    failing = _enqueue()
    run_worker()
    failing.refresh_from_db()
    assert failing.state == "failed"

    smtp_stub.up()
    assert outbox.resend(failing, by=privacy_officer) is True
    assert outbox.resend(failing, by=privacy_officer) is False  # pending already: not twice
    run_worker()

    assert len(smtp_stub.received) == 1
    failing.refresh_from_db()
    assert failing.state == "sent"
    (event,) = Event.objects.filter(action=Action.CORE_MAIL_RESENT)
    assert (event.actor_kind, event.actor_id) == ("user", privacy_officer.pk)
    assert event.details == {"error": "ConnectionRefusedError"}


def _queued_runs() -> dict[str, datetime.datetime]:
    rows = DBTaskResult.objects.filter(
        task_path=schedule.run_periodic.module_path, status=TaskResultStatus.READY
    )
    return {row.args_kwargs["args"][0]: row.run_after for row in rows}


def test_the_periodic_jobs_are_scheduled_once_and_run_by_the_worker(settings, tmp_path, run_worker):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path
    assert schedule.ensure() == sorted(settings.PERIODIC_JOBS)
    assert schedule.ensure() == []  # a second worker's start adds none

    started = timezone.now()
    run_worker()

    # Each job ran (the checkpoint is the one that leaves a file) and queued its next run.
    (checkpoint,) = tmp_path.glob("*.json")
    assert checkpoint.name == f"{timezone.localdate().isoformat()}.json"
    assert "signature" in json.loads(checkpoint.read_text())
    runs = _queued_runs()
    assert set(runs) == set(settings.PERIODIC_JOBS)
    for name, run_after in runs.items():
        every = datetime.timedelta(seconds=settings.PERIODIC_JOBS[name][1])
        assert started + every <= run_after <= timezone.now() + every
