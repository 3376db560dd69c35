"""A mail still waiting in the outbox when the person it names is erased (APPI Art. 35(2)):
it is sent as queued (it may be the answer to her own request) and emptied once sent, as
every mail is; if the server never takes it, it is emptied as it fails, where a failed mail
is otherwise kept whole for the officer to resend, and no resend can bring it back."""

import pytest

from core import outbox
from core.models import OutboxMail
from core.traces import Person
from disclosure import copies
from disclosure.tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

EMAIL = "sayaka.hasumi.zx@example.com"
HER = Person(names=frozenset({"蓮見 沙耶香"}), emails=frozenset({EMAIL}))


def _waiting(to: str = EMAIL) -> OutboxMail:
    return outbox.enqueue(
        subject="【受付番号 R-1】",
        template="safeguards/mail/incident.txt",
        context={"incident": {"pk": 7}},
        to=[to],
    )


def _erase(by) -> None:
    copies.remove(person=HER, member_id=None, record_ids=[], by=by, target=RequestFactory())


def test_art35_2_a_mail_waiting_at_the_erasure_is_still_sent_then_emptied(bare_officer, run_worker):
    from django.core import mail

    waiting = _waiting()
    _erase(bare_officer)
    run_worker()

    (message,) = mail.outbox
    assert message.to == [EMAIL]
    waiting.refresh_from_db()
    assert (waiting.state, waiting.to, waiting.body) == (OutboxMail.State.SENT, [], "")


def test_art35_2_a_mail_waiting_at_the_erasure_that_then_fails_keeps_nothing_to_resend(
    settings, smtp_stub, run_worker, bare_officer, privacy_officer
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    hers, someone_elses = _waiting(), _waiting("taro@example.jp")
    _erase(bare_officer)
    run_worker()

    hers.refresh_from_db()
    someone_elses.refresh_from_db()
    assert hers.state == someone_elses.state == OutboxMail.State.FAILED
    assert (hers.to, hers.body) == ([], "")
    # Another person's failed mail is kept whole for the resend; hers cannot come back.
    assert someone_elses.to == ["taro@example.jp"] and someone_elses.body
    smtp_stub.up()
    assert outbox.resend(hers, by=privacy_officer) is False
    assert outbox.resend(someone_elses, by=privacy_officer) is True
