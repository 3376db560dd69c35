"""Mail to requesters, sent only after the transaction that warrants it commits.

A mail carries no personal data beyond the receipt number: the letters themselves are read
on the status page, behind the secret token. The bodies are templates
(`disclosure/mail/`), written as the complaints desk's are (`core.filing.send_mail`).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.filing import send_mail

from .models import Request


def _send_on_commit(request: Request, *, subject: str, template: str, **context) -> None:
    if request.email:
        recipient = request.email
        transaction.on_commit(
            lambda: send_mail(
                subject=subject,
                template=f"disclosure/mail/{template}.txt",
                context={"filed": request, **context},
                to=[recipient],
            )
        )


def filed_on_commit(request: Request, *, status_url: str) -> None:
    """The receipt, with the status page's address that holds the secret token."""
    _send_on_commit(
        request,
        subject=_("【受付番号 %(receipt)s】開示等の請求を受け付けました")
        % {"receipt": request.receipt_number},
        template="filed",
        status_url=status_url,
    )


def state_changed_on_commit(request: Request) -> None:
    _send_on_commit(
        request,
        subject=_("【受付番号 %(receipt)s】請求の状況が変わりました")
        % {"receipt": request.receipt_number},
        template="state_changed",
    )
