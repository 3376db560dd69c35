"""API tokens that expire and die with the staff status.

A token (DRF's `Token`) works for `API_TOKEN_DAYS` days (a setting, 90 by default) from its
issue, and only while its holder is active staff: `ExpiringTokenAuthentication` checks both
on every call, so clearing `is_staff` or `is_active` stops the token at once (and
`safeguards.accounts` deletes it as well). Issued and revoked in the admin
(`safeguards.admin.accounts.ApiTokenAdmin`), each an event (`safeguards.token.created|revoked`).
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

REFUSED = _(
    "このトークンは使えません（有効期限切れ、失効済み、又は職員でない者のトークンです）。"
    "システム管理者に新しいトークンの発行を依頼してください。"
)


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def expires_at(token) -> datetime.datetime:
    return token.created + lifetime()


def expired(token, *, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, refused (401) once expired or its holder is not active
    staff; every refusal reads the same, as an unknown key's does."""

    def authenticate_credentials(self, key):
        try:
            user, token = super().authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(REFUSED) from None
        if not (user.is_active and user.is_staff) or expired(token):
            raise exceptions.AuthenticationFailed(REFUSED)
        return user, token
