"""Issue 15: the privacy officer sees in the admin the mail that could not be sent and resends
it (audited); nobody else may."""

import pytest
from django.core import mail

from audit.models import Event
from audit.vocabulary import Action
from core import outbox
from core.models import OutboxMail

LIST = "/admin/core/outboxmail/"


@pytest.fixture
def failed_mail(settings, run_worker):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    failed = outbox.enqueue(
        subject="【受付番号 R2026-0042】請求の状況が変わりました",
        template="safeguards/mail/incident.txt",
        context={"incident": {"pk": 1}},
        to=["hanako@example.jp"],
    )
    run_worker()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed.refresh_from_db()
    assert failed.state == OutboxMail.State.FAILED
    return failed


def test_the_officer_sees_the_failed_mail_and_resends_it(as_persona, failed_mail, run_worker):
    client = as_persona("privacy_officer")

    page = client.get(LIST + "?state__exact=failed").content.decode()

    assert "R2026-0042" in page and "送信できず" in page
    assert "hanako@example.jp" not in page  # the list names no address
    response = client.post(
        LIST, {"action": "resend", "_selected_action": [failed_mail.pk]}, follow=True
    )
    assert "1 通を再送に回しました。" in response.content.decode()
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    failed_mail.refresh_from_db()
    assert failed_mail.state == OutboxMail.State.SENT
    (event,) = Event.objects.filter(action=Action.CORE_MAIL_RESENT)
    assert event.target_id == str(failed_mail.pk)


@pytest.mark.parametrize("persona", ["handler_in", "auditor"])
def test_no_one_else_reads_or_resends_the_outbox(persona, as_persona, failed_mail, run_worker):
    client = as_persona(persona)

    response = client.post(LIST, {"action": "resend", "_selected_action": [failed_mail.pk]})

    assert response.status_code == 403
    run_worker()
    assert mail.outbox == []
    assert not Event.objects.filter(action=Action.CORE_MAIL_RESENT).exists()
