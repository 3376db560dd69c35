"""The settings modes: production refuses a missing secret and passes the deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.envelope import generate_kek

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    hidden = {"SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "KUMIAI_KEK"}
    base = {k: v for k, v in os.environ.items() if k not in hidden}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE="kumiai.settings.production", ALLOWED_HOSTS="example.org"
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key_in_production():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="kumiai.settings.production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY="too-short",
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_passes_the_deploy_checks_with_no_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="kumiai.settings.production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        EMAIL_URL="smtp+tls://kumiai:secret@mail.example.org:587",
        KUMIAI_KEK=generate_kek(),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("kek", [None, "", "c2hvcnQ=", "not base64!"])
def test_production_refuses_to_start_without_a_key_encryption_key(kek):
    # Issue 16: without it no 要配慮 record can be sealed or opened.
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="kumiai.settings.production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        EMAIL_URL="smtp+tls://kumiai:secret@mail.example.org:587",
        **({} if kek is None else {"KUMIAI_KEK": kek}),
    )

    assert result.returncode != 0
    assert "KUMIAI_KEK must be set" in result.stderr


@pytest.mark.parametrize(
    "email_url", [None, "consolemail://", "filemail:///tmp/mail", "memorymail://"]
)
def test_production_refuses_to_start_without_a_real_mail_server(email_url):
    # Issue 15: a console backend writes every receipt, status link and token to the logs.
    mail = {} if email_url is None else {"EMAIL_URL": email_url}
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="kumiai.settings.production",
        ALLOWED_HOSTS="example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        **mail,
    )

    assert result.returncode != 0
    assert "EMAIL_URL must be set to a real mail server" in result.stderr


def test_the_demo_runs_in_japanese_on_tokyo_time(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
