"""A logging filter that keeps tokens, search terms and e-mail addresses out of the logs.

Installed on every handler of Django's LOGGING (`kumiai.settings.base`) and of gunicorn's
(`gunicorn.conf.py`): the status links' tokens (`t=`, `token=`), the admin's and the API's
searches (`q=`) and any e-mail address become `***` before a line is written. Names cannot
be told from other words; none is logged: the apps log ids and receipt numbers only, and mail
bodies never (`core.outbox`).

Imports nothing of Django: gunicorn's master loads it before the project is set up.
"""

import logging
import re

MASK = "***"
# A query parameter holding a secret or a search: its value, up to the next & or the end of
# the URL (a space or a quote in a log line).
_QUERY_VALUE = re.compile(r"(?i)([?&;](?:t|token|q|search)=)[^&\s\"'#]*")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# The URL-encoded form of an address (%40 for @), as it appears in a logged query string.
_EMAIL_ENCODED = re.compile(r"(?i)[\w.%+-]+%40[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    text = _QUERY_VALUE.sub(lambda m: m.group(1) + MASK, text)
    text = _EMAIL_ENCODED.sub(MASK, text)
    return _EMAIL.sub(MASK, text)


class Redact(logging.Filter):
    """Rewrites a record's message (arguments merged in) with `redact`; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler to report
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # A traceback may quote a URL or an address too: format it now, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
