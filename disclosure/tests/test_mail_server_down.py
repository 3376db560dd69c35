"""Issue 15: the mail server down, then refusing, then back: the requester who files gets the
receipt page at once, and the receipt mail is sent exactly once when the server returns."""

import re

import pytest

from core.models import OutboxMail
from disclosure.models import Request
from disclosure.tests.test_filing import FULL_WIDTH, draft_of

pytestmark = pytest.mark.django_db


def test_a_filing_with_the_mail_server_down_loses_no_mail(
    client, jpeg, smtp_stub, run_worker, wait_is_over
):
    smtp_stub.down()  # connections refused
    draft = draft_of(client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()}))

    response = client.post("/requests/confirm/", {"draft": draft, "send": "1"}, follow=True)

    # The filer sees the receipt number and the status link, not an error.
    filed = Request.objects.get()
    assert response.status_code == 200
    page = response.content.decode()
    assert filed.receipt_number in page
    token = re.search(r"#t=([\w-]+)", page).group(1)
    (mail,) = OutboxMail.objects.all()
    assert mail.state == OutboxMail.State.PENDING

    run_worker()  # the server is down
    smtp_stub.refusing()  # up, but answering 451 to every message
    wait_is_over()
    run_worker()

    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (
        OutboxMail.State.PENDING,
        2,
        "SMTPDataError",
    )
    assert smtp_stub.received == []

    smtp_stub.up()
    wait_is_over()
    run_worker()
    wait_is_over()
    run_worker()  # nothing is left to send twice

    (message,) = smtp_stub.received
    assert message.rcpt_tos == ["hanako@example.jp"]
    body = message.content.decode()
    assert filed.receipt_number in body
    assert f"t={token}" in body.replace("=\r\n", "")
    mail.refresh_from_db()
    assert mail.state == OutboxMail.State.SENT and mail.sent_at is not None
