"""The outbox: mail that is never lost, and never holds up the request that sends it.

`enqueue` renders a mail from its template and writes it (`core.models.OutboxMail`) with a
task of Django's task framework (the `django-tasks` backport, database backend) in the
caller's transaction: the mail exists if and only if the state that warrants it committed,
and the request returns without speaking to the mail server. The worker
(`manage.py worker`) runs `deliver`: it sends the mail, and if the server refuses or is
down it tries again later, OUTBOX_RETRY_SECONDS doubling up to OUTBOX_RETRY_MAX_SECONDS;
after OUTBOX_MAX_ATTEMPTS tries the mail is failed (`core.mail.failed`), listed for the
privacy officer in the admin, who resends it (`resend`, `core.mail.resent`).

A mail is sent at least once and, unless the worker dies between the server's acceptance and
the commit that marks it sent, exactly once: `deliver` sends only a pending mail, under its
row lock. Once sent, its body and addresses are emptied; a failed one keeps them for the
resend, unless the person it names was erased while it waited (`erased_meanwhile`, set by
the erasure), when it is emptied as it fails and cannot be resent. Neither is ever logged or put in
the trail: the log says the mail's id, the trail its id and the error's class.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from audit import trail
from audit.vocabulary import Action

from .models import OutboxMail
from .schedule import backoff

logger = logging.getLogger(__name__)
State = OutboxMail.State


def enqueue(*, subject: str, template: str, context: dict, to: list[str]) -> OutboxMail | None:
    """Write a mail to `to` (its body rendered from `template`, a text template under the
    app's `mail/`) and its delivery task, in the caller's transaction. None if `to` is empty."""
    to = [address for address in to if address]
    if not to:
        return None
    body = render_to_string(template, context)
    with transaction.atomic():
        mail = OutboxMail.objects.create(
            template=template, subject=subject, body=body, to=to, recipients=len(to)
        )
        deliver.enqueue(mail.pk)
    return mail


@task()
def deliver(mail_id: int) -> str:
    """Send one pending mail; on failure, schedule the next try or give up. Returns the
    mail's state (the task's result, shown to the system administrator)."""
    with transaction.atomic():
        mail = OutboxMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.state != State.PENDING:
            return mail.state if mail else "gone"  # sent already, or failed and not resent
        try:
            EmailMessage(mail.subject, mail.body, settings.DEFAULT_FROM_EMAIL, mail.to).send()
        except Exception as error:
            _failed(mail, error)
        else:
            mail.state, mail.sent_at, mail.next_attempt_at = State.SENT, timezone.now(), None
            empty(mail)
            mail.save()
        return mail.state


def empty(mail: OutboxMail) -> None:
    """Forget whom the mail was for and what it said (the caller saves)."""
    mail.body, mail.to = "", []


def _failed(mail: OutboxMail, error: Exception) -> None:
    mail.attempts += 1
    mail.last_error = type(error).__name__[:100]
    logger.warning(
        "outbox mail %s not sent (try %s of %s): %s",
        mail.pk,
        mail.attempts,
        settings.OUTBOX_MAX_ATTEMPTS,
        mail.last_error,
    )
    if mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mail.state, mail.next_attempt_at = State.FAILED, None
        if mail.erased_meanwhile:
            empty(mail)
        trail.append(
            action=Action.CORE_MAIL_FAILED,
            actor=trail.SYSTEM,
            target=mail,
            details={"attempts": mail.attempts, "error": mail.last_error},
        )
    else:
        mail.next_attempt_at = timezone.now() + backoff(
            mail.attempts,
            first=settings.OUTBOX_RETRY_SECONDS,
            most=settings.OUTBOX_RETRY_MAX_SECONDS,
        )
        deliver.using(run_after=mail.next_attempt_at).enqueue(mail.pk)
    mail.save()


def resend(mail: OutboxMail, *, by) -> bool:
    """Try a failed mail again now, its count of tries started afresh (the admin's action).
    False, and nothing done, for a mail that is not failed or was emptied (no one to send to)."""
    with transaction.atomic():
        mail = OutboxMail.objects.select_for_update().get(pk=mail.pk)
        if mail.state != State.FAILED or not mail.to:
            return False
        mail.state, mail.attempts, mail.next_attempt_at = State.PENDING, 0, None
        mail.save()
        deliver.enqueue(mail.pk)
        trail.append(
            action=Action.CORE_MAIL_RESENT,
            actor=trail.actor_for(by),
            target=mail,
            details={"error": mail.last_error},
        )
    return True
