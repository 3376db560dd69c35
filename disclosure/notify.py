"""Mail to requesters, written to the outbox (`core.outbox`) in the transaction that warrants
it: sent by the worker once that commits, never if it rolls back.

A mail carries no personal data beyond the receipt number: the letters themselves are read
on the status page, behind the secret token. The bodies are templates
(`disclosure/mail/`), written as the complaints desk's are.
"""

from django.utils.translation import gettext as _

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from core import outbox

from .access import filed_for_protected
from .models import Request


def _send(request: Request, *, subject: str, template: str, **context) -> None:
    if filed_for_protected(request):
        # The MHLW guidance (DV and the like): nothing about a protected member goes to anyone
        # but the member. Staff find the mail not sent in the request's history.
        append(
            action=Action.DISCLOSURE_MAIL_WITHHELD,
            actor=SYSTEM,
            target=request,
            details={"mail": template},
        )
        return
    outbox.enqueue(
        subject=subject,
        template=f"disclosure/mail/{template}.txt",
        context={"filed": request, **context},
        to=[request.email],
    )


def filed(request: Request, *, status_url: str) -> None:
    """The receipt, with the status page's address that holds the secret token."""
    _send(
        request,
        subject=_("【受付番号 %(receipt)s】開示等の請求を受け付けました")
        % {"receipt": request.receipt_number},
        template="filed",
        status_url=status_url,
    )


def state_changed(request: Request) -> None:
    _send(
        request,
        subject=_("【受付番号 %(receipt)s】請求の状況が変わりました")
        % {"receipt": request.receipt_number},
        template="state_changed",
    )
