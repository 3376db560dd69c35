"""Production: refuses to start without a real secret key; passes `check --deploy` cleanly."""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")


SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Mail leaves through a real server: a console, file or memory backend would write every
# receipt, status link and token to the logs or lose it (issue 15). EMAIL_URL, e.g.
# smtp+tls://user:password@mail.example.jp:587, must be set.
from .base import EMAIL_CONFIG  # noqa: E402

if not env.str("EMAIL_URL", default="") or EMAIL_CONFIG["EMAIL_BACKEND"].rsplit(".", 2)[-2] in (
    "console",
    "filebased",
    "locmem",
    "dummy",
):
    raise ImproperlyConfigured(
        "EMAIL_URL must be set to a real mail server in production "
        "(smtp://, smtp+tls:// or smtp+ssl://), not consolemail:// or another local backend: "
        "receipts and status links would be written to the logs or lost."
    )

# The key-encryption key of the members' data keys (core.envelope): without a valid one no
# 要配慮 record could be written or read.
try:
    _kek_ok = len(base64.b64decode(env.str("KUMIAI_KEK", default=""), validate=True)) == 32
except (binascii.Error, ValueError):
    _kek_ok = False
if not _kek_ok:
    raise ImproperlyConfigured(
        "KUMIAI_KEK must be set to 32 random bytes in base64 in production (python -c "
        '"import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())").'
    )
