"""The mail a complaint sends: to the complainant who gave an address, and to the privacy
officer when one is escalated. Called only from `transaction.on_commit`, so that no mail
announces a change that rolled back.

A notice carries the receipt number and the state, never what the complaint says: mail
leaves the society's systems, and the status page (behind its token) is where to look.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from safeguards.organisation import emergency_emails

from .models import Complaint


def received(complaint: Complaint, *, token: str, status_url: str) -> None:
    """The receipt for a complaint, with the token that opens its status page."""
    if not complaint.email:
        return
    _send(
        subject=_("苦情を受け付けました（受付番号 %(number)s）")
        % {"number": complaint.receipt_number},
        template="complaints/mail/received.txt",
        context={"complaint": complaint, "token": token, "status_url": status_url},
        to=[complaint.email],
    )


def state_changed(complaint: Complaint) -> None:
    if complaint.state == Complaint.State.ESCALATED:
        _send(
            subject=_("苦情が報告されました（受付番号 %(number)s）")
            % {"number": complaint.receipt_number},
            template="complaints/mail/escalated.txt",
            context={"complaint": complaint},
            to=emergency_emails(),
        )
    elif complaint.email:
        _send(
            subject=_("苦情の対応状況が変わりました（受付番号 %(number)s）")
            % {"number": complaint.receipt_number},
            template="complaints/mail/state_changed.txt",
            context={"complaint": complaint},
            to=[complaint.email],
        )


def _send(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    if to:
        body = render_to_string(template, context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
