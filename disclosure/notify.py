"""Mail to requesters, sent only after the transaction that warrants it commits.

A mail carries no personal data beyond the receipt number: the letters themselves are read
on the status page, behind the secret token.
"""

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Request


def _send_on_commit(request: Request, subject: str, body: str) -> None:
    if request.email:
        recipient = request.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [recipient]))


def filed_on_commit(request: Request, *, status_url: str) -> None:
    """The receipt, with the status page's address that holds the secret token."""
    _send_on_commit(
        request,
        _("【受付番号 %(receipt)s】開示等の請求を受け付けました")
        % {"receipt": request.receipt_number},
        _(
            "開示等の請求を受け付けました。\n\n受付番号：%(receipt)s\n"
            "照会用URL：%(url)s\n\n"
            "照会用URLは請求の状況の確認と、開示データの受け取りに使います。"
            "他の人に知られないよう大切に保管してください。"
        )
        % {"receipt": request.receipt_number, "url": status_url},
    )


def state_changed_on_commit(request: Request) -> None:
    _send_on_commit(
        request,
        _("【受付番号 %(receipt)s】請求の状況が変わりました") % {"receipt": request.receipt_number},
        _(
            "受付番号 %(receipt)s の請求の状況が「%(state)s」になりました。\n"
            "お送りした照会用URLから、状況と通知書をご確認ください。"
        )
        % {"receipt": request.receipt_number, "state": request.get_state_display()},
    )
