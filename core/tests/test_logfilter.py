"""Issue 15: the logs hold no status-link token, search term or e-mail address, whether Django
writes the line (its LOGGING) or gunicorn's access log does (gunicorn.conf.py)."""

import datetime
import io
import logging
import logging.config
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger

from core.logfilter import redact

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Xq3vN8pLk2RzT0aBcDeFgH"


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (f"GET /requests/status/R-1/?t={TOKEN} HTTP/1.1", "/requests/status/R-1/?t=***"),
        (f"GET /complaints/status/C-1/?lang=ja&token={TOKEN}", "?lang=ja&token=***"),
        ("GET /admin/records/member/?q=7700004&o=1 HTTP/1.1", "?q=***&o=1"),
        ("GET /admin/records/member/?q=%E5%B1%B1%E7%94%B0 HTTP/1.1", "?q=*** HTTP/1.1"),
        ("To: hanako.yamada+kumiai@example.co.jp", "To: ***"),
        ("GET /x/?next=%2F&email=hanako%40example.jp HTTP/1.1", "email=***"),
    ],
)
def test_redact_masks_tokens_searches_and_addresses(line, kept):
    cleaned = redact(line)
    assert kept in cleaned
    for secret in (TOKEN, "7700004", "%E5%B1%B1", "hanako", "example.jp"):
        assert secret not in cleaned


@pytest.fixture
def django_log(settings):
    """What Django's configured handler writes, in a string."""
    logging.config.dictConfig(settings.LOGGING)
    (handler,) = logging.getLogger("django.request").handlers
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def test_django_loggers_write_no_token_search_or_address(django_log, client):
    # runserver's request line, a failed request and a message with an exception.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /requests/status/R-1/?t={TOKEN} HTTP/1.1", 200, 512
    )
    logging.getLogger("django.request").warning("Forbidden: %s", "/admin/records/member/?q=7700004")
    try:
        raise ValueError("no mailbox hanako@example.jp")
    except ValueError:
        logging.getLogger("django").exception("mail for %s failed", "hanako@example.jp")

    written = django_log.getvalue()
    assert "GET /requests/status/R-1/?t=***" in written and "Forbidden" in written
    assert "ValueError: no mailbox ***" in written
    for secret in (TOKEN, "7700004", "hanako", "example.jp"):
        assert secret not in written


def test_gunicorns_access_log_writes_no_token_or_search(capsys, settings):
    config = Config()
    config.set("logconfig_dict", runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logconfig_dict"])
    config.set("accesslog", "-")
    log = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/requests/status/R-1/?t={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": "https://kumiai.example.jp/admin/records/member/?q=7700004",
    }
    try:
        log.access(
            SimpleNamespace(status="200 OK", sent=512, headers=[]),
            SimpleNamespace(headers=[]),
            environ,
            datetime.timedelta(milliseconds=12),
        )
        written = capsys.readouterr().out
    finally:
        logging.config.dictConfig(settings.LOGGING)

    assert '"GET /requests/status/R-1/?t=*** HTTP/1.1" 200 512' in written
    assert "member/?q=***" in written
    assert TOKEN not in written and "7700004" not in written
