"""The mail a complaint sends: to the complainant who gave an address, and to the privacy
officer when one is escalated. Written to the outbox (`core.outbox`) in the transaction of the
change, so that no mail announces a change that rolled back and none waits on the mail server.

A notice carries the receipt number and the state, never what the complaint says: mail
leaves the society's systems, and the status page (behind its token) is where to look.
"""

from django.utils.translation import gettext as _

from core.outbox import enqueue
from safeguards.organisation import emergency_emails

from .models import Complaint


def received(complaint: Complaint, *, status_url: str) -> None:
    """The receipt for a complaint, with the status link (it holds the token)."""
    if not complaint.email:
        return
    enqueue(
        subject=_("苦情を受け付けました（受付番号 %(number)s）")
        % {"number": complaint.receipt_number},
        template="complaints/mail/received.txt",
        context={"complaint": complaint, "status_url": status_url},
        to=[complaint.email],
    )


def state_changed(complaint: Complaint) -> None:
    if complaint.state == Complaint.State.ESCALATED:
        enqueue(
            subject=_("苦情が報告されました（受付番号 %(number)s）")
            % {"number": complaint.receipt_number},
            template="complaints/mail/escalated.txt",
            context={"complaint": complaint},
            to=emergency_emails(),
        )
    elif complaint.email:
        enqueue(
            subject=_("苦情の対応状況が変わりました（受付番号 %(number)s）")
            % {"number": complaint.receipt_number},
            template="complaints/mail/state_changed.txt",
            context={"complaint": complaint},
            to=[complaint.email],
        )
